"""A household as a request shows it: members (ID numbers masked), their state, the rolls."""

from __future__ import annotations

from django.db.models import F

from households.idnumber import mask
from households.models import Case, Household, Member


def snapshot(household: Household) -> dict:
    household = Household.objects.select_related("merged_into").get(pk=household.pk)
    # The current members first, then those who left (oldest departure first).
    members = Member.everyone.filter(household=household).order_by(
        F("removed_at").asc(nulls_first=True), "pk"
    )
    cases = Case.objects.filter(household=household).order_by("program", "pk")
    return {
        "id": household.pk,
        "number": household.number,
        "merged_into": household.merged_into.number if household.merged_into else "",
        "members": [
            {
                "id": m.pk,
                "name": m.name,
                "id_number": mask(m.id_number),
                "gender": m.gender,
                "birth_date": m.birth_date.isoformat(),
                "relation": m.relation,
                "state": f"已减少({m.removal_reason})" if m.removed_at else "现有",
            }
            for m in members
        ],
        "cases": [f"{c.get_program_display()} {c.get_state_display()}({c.entered_year}年)" for c in cases],
    }


def compare(before: list[dict], after: list[dict]) -> list[dict]:
    """Side by side per household, with the member rows that differ marked (by member id)."""
    by_id = {h["id"]: h for h in before}
    pairs = []
    for household in after:
        old = by_id.get(household["id"])
        old_rows = {row["id"]: row for row in old["members"]} if old else {}
        rows = [{**row, "changed": old_rows.get(row["id"]) != row} for row in household["members"]]
        pairs.append({"before": old, "after": {**household, "members": rows}})
    return pairs
