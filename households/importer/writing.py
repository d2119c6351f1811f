"""Writing what the check decided: COPY for new rows, a temp table and one UPDATE for changed ones,
history rows for all."""

from __future__ import annotations

import contextlib
import datetime
from operator import itemgetter

from django.db import connection, models
from django.utils import timezone

from accounts.models import User
from households import choices
from households.bulk import (
    copy_history_rows,
    copy_rows,
    history_of_rows,
    indexes_rebuilt_after,
    reserve_ids,
    rows_fewer_than,
)
from households.importer.checking import Plan
from households.importer.database import defaults_of, fields_of, load
from households.models import Case, Household, Member

CHANGE_REASON = "花名册导入"
# A load of at least this many rows into a table holding fewer rows than the load is written without the
# table's secondary indexes, which are built again afterwards (households.bulk.indexes_rebuilt_after).
REBUILD_INDEXES_MIN_ROWS = 20_000


class _Writer:
    """Rows (attname dicts with "id") → COPY into the table or temp-table UPDATE, and history."""

    def __init__(self, model: type[models.Model], *, user: User, now: datetime.datetime) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.columns = ["id", *[f.attname for f in fields_of(model)]]
        self.user = user
        self.now = now

    def _history(self, rows: list[dict], kind: str) -> None:
        copy_history_rows(
            self.model, rows, history_type=kind, user=self.user, reason=CHANGE_REASON, when=self.now
        )

    def insert(self, rows: list[dict]) -> None:
        if not rows:
            return
        copy_rows(self.table, self.columns, map(itemgetter(*self.columns), rows))
        history_of_rows(
            self.model,
            [r["id"] for r in rows],
            history_type="+",
            user=self.user,
            reason=CHANGE_REASON,
            when=self.now,
        )

    def update(self, rows: list[dict], *, where: str = "") -> None:
        if not rows:
            return
        temp = f"import_{self.table}"
        with connection.cursor() as cursor:
            # With the defaults: the columns the database keeps (households.persons) are not in the rows.
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {temp} (LIKE {self.table} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            cursor.execute(f"TRUNCATE {temp}")
        copy_rows(temp, self.columns, map(itemgetter(*self.columns), rows))
        assignments = ", ".join(f'"{c}" = t."{c}"' for c in self.columns[1:])
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} AS o SET {assignments} FROM {temp} AS t WHERE o.id = t.id {where}"
            )
        self._history(rows, "~")


def _tables_to_rebuild(plan: Plan, scale: float) -> list[str]:
    """The tables this import at least doubles, judged from a batch `scale` times smaller than the file:
    loaded without indexes, which are built afterwards."""
    rows = {
        Household: len(plan.h_new),
        Member: len(plan.m_new),
        Case: len(plan.cases_to_open),
    }
    tables = []
    for model, count in rows.items():
        expected = int(count * scale)
        if expected < REBUILD_INDEXES_MIN_ROWS:
            continue
        for table in (model._meta.db_table, model.history.model._meta.db_table):
            if rows_fewer_than(table, expected):
                tables.append(table)
    return tables


class Writer:
    """Writes each batch's rows as the batches come, inside the caller's transaction; `close()` after
    the last one builds the dropped indexes again. Not closed (an error found), the rollback puts
    them back."""

    def __init__(self, *, user: User, total_rows: int) -> None:
        self.user = user
        self.now = timezone.now()
        self.total_rows = total_rows
        self.households = _Writer(Household, user=user, now=self.now)
        self.members = _Writer(Member, user=user, now=self.now)
        self.cases = _Writer(Case, user=user, now=self.now)
        self._indexes = contextlib.ExitStack()
        self._started = False

    def write(self, plan: Plan, *, batch_rows: int, whole_file: bool) -> None:
        if not any(
            (plan.h_new, plan.h_changed, plan.m_new, plan.m_changed, plan.m_removed, plan.cases_to_open)
        ):
            return  # a re-import of the same file writes nothing at all
        if not self._started:
            self._started = True
            # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: queued for the commit, 900,000 checks
            # cost ≈ 10 s more than the same checks made row by row as COPY goes (measured, 100,000 households).
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # The first batch stands for the file: its share of new rows, over the file's rows.
            scale = 1.0 if whole_file else max(self.total_rows / max(batch_rows, 1), 1.0)
            self._indexes.enter_context(indexes_rebuilt_after(_tables_to_rebuild(plan, scale)))
        self._write(plan)

    def close(self) -> None:
        self._indexes.close()

    def _write(self, plan: Plan) -> None:
        now, households, members = self.now, self.households, self.members
        if plan.h_changed:
            stored = load(
                Household, "id = ANY(%s)", [[r["id"] for r in plan.h_changed]], households.columns[1:]
            )
            households.update([{**stored[r["id"]], **r, "updated_at": now} for r in plan.h_changed])
        for row, pk in zip(plan.h_new, reserve_ids(Household, len(plan.h_new)), strict=True):
            row["id"] = pk
            plan.household_ids[row["number"]] = pk
        households.insert(plan.h_new)
        ids = plan.household_ids
        if plan.m_removed:
            # Nothing is deleted (households.changes): a person the roster no longer lists is marked
            # removed, reason 其他, and keeps the row and its history, as an approved 减少成员 would leave it.
            stored = load(Member, "id = ANY(%s)", [[r["id"] for r in plan.m_removed]], members.columns[1:])
            members.update(
                [
                    {"id": pk, **values, "removed_at": now, "removal_reason": choices.RemovalReason.OTHER}
                    for pk, values in stored.items()
                ]
            )
        if plan.m_changed:
            stored = load(Member, "id = ANY(%s)", [[r["id"] for r in plan.m_changed]], members.columns[1:])
            rows = [
                {
                    **stored[r["id"]],
                    **{k: v for k, v in r.items() if not k.startswith("_")},
                    "household_id": ids[r["_household"]],
                }
                for r in plan.m_changed
            ]
            # One 户主 per household is a unique index, checked row by row: free the heads first.
            members.update([r for r in rows if r["relation"] != choices.Relation.HEAD])
            members.update([r for r in rows if r["relation"] == choices.Relation.HEAD])
        for row, pk in zip(plan.m_new, reserve_ids(Member, len(plan.m_new)), strict=True):
            row["id"] = pk
            row["household_id"] = ids[row["household_id"]]
        members.insert(plan.m_new)
        # A roster lists who is on the rolls of the 识别年度 chosen for the import (--year, or the upload
        # form). Rows, not Case objects: building 140,000 model instances cost more than copying them.
        case = defaults_of(Case)
        self.cases.insert(
            [
                {**case, "id": pk, "household_id": ids[number], "program": program, "entered_year": plan.year}
                for (number, program), pk in zip(
                    plan.cases_to_open, reserve_ids(Case, len(plan.cases_to_open)), strict=True
                )
            ]
        )
