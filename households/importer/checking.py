"""Validation against the database and the comparison that decides what to write."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.scoping import scope_prefix
from households import choices
from households.bulk import rows_fewer_than
from households.idnumber import mask
from households.importer.areas import AreaMatcher
from households.importer.columns import COLUMNS, DEPENDENT_FIELDS, HOUSEHOLD_DEPENDENT, ImportResult, RowError
from households.importer.database import defaults_of, fetch, load, load_compact
from households.importer.reading import LIFTED, HouseholdDraft, Scattered, shown
from households.importer.sheet import Sheet
from households.models import Case, Household, IncomeRecord, Member
from households.numbers import household_number_error, person_number_error, person_numbers
from households.validation import check_household_members, check_member, other_cause_error
from villages.models import Area
from villages.names import area_key

# 贫困户属性 → the rolls it means (seed 002 四(一)): the import opens those the registry lacks.
ROLLS_OF_ATTRIBUTE = {
    choices.Attribute.GENERAL: (choices.Program.FUPIN,),
    choices.Attribute.DIBAO: (choices.Program.FUPIN, choices.Program.DIBAO),
    choices.Attribute.TEKUN: (choices.Program.FUPIN, choices.Program.TEKUN),
}
SAMPLE_SIZE = 20


class Plan:
    """Validation against the database and the comparison that decides what to write, batch by batch.

    `check(batch)` fills the batch's rows to write (`h_new`, `m_changed`, …); what spans the file (a
    person twice, a 人编号 twice, the counts) is kept across batches, and `finish()` adds the notes.
    Where a batch is not the whole file, what ties it to another (a person moving from or to a
    household of another batch) raises Scattered: the import starts again with the whole file as one
    batch."""

    def __init__(
        self,
        *,
        user: User,
        sheet: Sheet,
        result: ImportResult,
        year: int,
    ) -> None:
        self.user = user
        self.sheet = sheet
        self.result = result
        self.errors = result.errors
        self.year = year  # 识别年度: the rolls' year; the incomes compared are of the year before
        self.income_year = year - 1
        self.header = {key: spelled for key, (_, spelled) in sheet.headers.items()}
        self.col = {key: index for key, (index, _) in sheet.headers.items()}
        self.h_fields = [c.field for c in sheet.columns.values() if c.target == "h" and c.field != "number"]
        self.m_fields = [c.field for c in sheet.columns.values() if c.target == "m"]
        # Fields written along with a column because a constraint ties them to it.
        for column, companions in DEPENDENT_FIELDS.items():
            fields = self.h_fields if column in HOUSEHOLD_DEPENDENT else self.m_fields
            if column in fields or column == "id_number":
                fields.extend(f for f in companions if f not in fields)
        self.today = datetime.date.today()  # as check_member would take it, once rather than per person
        self.matcher = AreaMatcher(user)
        self.ours = {"", user.area.name}
        self.seen: dict[str, tuple[str, int]] = {}  # ID number → (户编号, row), over the file
        self.given: dict[str, tuple[int, object]] = {}  # 人编号 → (its row, the person's ID number)
        self.removed_ids: set[str] = set()  # ID numbers of the members earlier batches marked removed
        # Into an empty registry (a county's first import) nothing is looked up: sending 400,000 numbers
        # costs ≈ 0.5 s, and a batch can only find the rows of the batches before it.
        self.households_empty = rows_fewer_than(Household._meta.db_table, 1)
        self.members_empty = rows_fewer_than(Member._meta.db_table, 1)
        self.m_defaults = defaults_of(Member)
        self.h_defaults = defaults_of(Household)
        # As text: COPY takes it so, and psycopg would format the same datetime 200,000 times (≈ 0.5 s).
        self.stamp = timezone.now().isoformat()
        self.with_income = 0  # households giving 人均纯收入
        self.incomes_found = 0  # of them, with an income record of `income_year`
        result.counts.update(
            dict.fromkeys(
                (
                    "households_created",
                    "households_updated",
                    "households_unchanged",
                    "members_created",
                    "members_updated",
                    "members_unchanged",
                    "members_removed",
                    "cases_opened",
                ),
                0,
            )
        )

    def warn(self, row: int, key: str, value: object, reason: str) -> None:
        label = self.header.get(key) or next((c.label for c in COLUMNS.values() if c.key == key), key)
        self.result.warnings.append(RowError(row, label, shown(value), reason, self.col.get(key)))

    def error(self, row: int, key: str, value: object, reason: str) -> None:
        label = self.header.get(key) or next((c.label for c in COLUMNS.values() if c.key == key), key)
        text = mask(str(value)) if key == "m.id_number" else shown(value) if value is not None else ""
        self.errors.append(RowError(row, label, text, reason, self.col.get(key)))

    def check(self, households: dict[str, HouseholdDraft], *, whole_file: bool) -> None:
        """Check a batch of whole households and decide what to write for it."""
        self.households = households
        self.whole_file = whole_file
        self.h_new: list[dict] = []
        self.h_changed: list[dict] = []
        self.m_new: list[dict] = []
        self.m_changed: list[dict] = []
        self.m_removed: list[dict] = []
        self.generated_person_numbers: dict[str, tuple[int, dict]] = {}  # 人编号 → (row, member values)
        matcher, county, ours = self.matcher, self.user.area, self.ours
        for draft in households.values():
            if message := household_number_error(draft.number):
                self.error(draft.row, "h.number", draft.number, message)
            county_name = draft.values.get("area.county", "")
            if county_name not in ours and area_key(str(county_name)) == area_key(county.name):
                ours.add(county_name)
            if county_name not in ours:
                self.error(
                    draft.value_rows["area.county"], "a.county", county_name, f"不是本县({county.name})"
                )
            names = tuple(
                str(draft.values.get(f"area.{level}", "")) for level in ("township", "village", "group")
            )
            if all(names):
                found, level = matcher.group(*names)
                if isinstance(found, Area):
                    draft.group_id = found.id
                else:
                    name = level[2:]
                    self.error(
                        draft.value_rows.get(f"area.{name}", draft.row),
                        level,
                        draft.values.get(f"area.{name}"),
                        found,
                    )
        self._check_people()
        self._compare()
        self._plan_cases()

    def _plan_cases(self) -> None:
        """The cases the file's 贫困户属性 calls for and the registry lacks; open cases stay as they are.
        A household marked 已脱贫 has left the 扶贫 roll: its 属性 does not put it back."""
        wanted = {
            (number, program)
            for number, draft in self.households.items()
            for program in ROLLS_OF_ATTRIBUTE.get(draft.values.get("attribute"), ())
            if not (program == choices.Program.FUPIN and draft.values.get("lifted") == LIFTED)
        }
        numbers = {pk: number for number, pk in self.household_ids.items()}
        if not numbers:
            self.cases_to_open = sorted(wanted)
            self.result.counts["cases_opened"] += len(wanted)
            return
        open_cases = Case.objects.filter(household_id__in=list(numbers), state__in=Case.OPEN_STATES)
        have = {(numbers[pk], program) for pk, program in open_cases.values_list("household_id", "program")}
        self.cases_to_open = sorted(wanted - have)
        self.result.counts["cases_opened"] += len(self.cases_to_open)

    def _check_people(self) -> None:
        seen, given = self.seen, self.given
        self.batch_ids: list[str] = []
        self.batch_person_numbers: list[str] = []
        for draft in self.households.values():
            unique = []
            for member in draft.members:
                if person_number := member.values.get("person_number"):
                    message = person_number_error(person_number, draft.number)
                    if message is None and person_number in given:
                        message = f"人编号已出现在第{given[person_number][0]}行,人编号不能重复"
                    if message:
                        self.error(member.row, "m.person_number", person_number, message)
                        member.values["_invalid"] = True
                    if person_number not in given:
                        given[person_number] = (member.row, member.values.get("id_number"))
                        self.batch_person_numbers.append(person_number)
                number = member.values.get("id_number")
                if not number:
                    unique.append(member.values)
                    continue
                if number in seen:
                    other_number, other_row = seen[number]
                    where = "同一户" if other_number == draft.number else f"户编号{other_number}"
                    self.error(
                        member.row,
                        "m.id_number",
                        number,
                        f"此人已出现在第{other_row}行({where}),同一人只能登记一次",
                    )
                    continue
                seen[number] = (draft.number, member.row)
                self.batch_ids.append(number)
                unique.append(member.values)
            for message in check_household_members(unique):
                self.error(draft.row, "m.relation", "", f"户编号{draft.number}:{message}")
            persons = draft.values.get("persons")
            if persons is not None and persons != len(draft.members):
                self.error(
                    draft.value_rows["persons"],
                    "x.persons",
                    persons,
                    f"户编号{draft.number}的人数为{persons},但文件中该户有{len(draft.members)}行成员",
                )

    def _compare(self) -> None:
        numbers = list(self.households)
        prefix = scope_prefix(self.user) or ""
        # Existing households of the file, whatever their scope: 户编号 is unique county-wide.
        h_attnames = ["number", "group_id", *self.h_fields]
        existing = (
            load(Household, "number = ANY(%s)", [numbers], h_attnames) if not self.households_empty else {}
        )
        by_number = {values["number"]: (pk, values) for pk, values in existing.items()}
        self.household_ids = {number: pk for number, (pk, _) in by_number.items()}
        group_codes = dict(
            Area.objects.filter(id__in={v["group_id"] for v in existing.values()}).values_list("id", "code")
        )
        # Every registered person of the file, in any household, and every member of the file's households.
        m_attnames = self.m_attnames = [
            "household_id",
            "id_number",
            "person_number",
            *[f for f in self.m_fields if f not in ("id_number", "person_number")],
        ]
        # Two index scans: PostgreSQL answers "a OR b" over 400,000 rows with a sequential scan.
        members = (
            load_compact(Member, "id_number = ANY(%s) AND removed_at IS NULL", [self.batch_ids], m_attnames)
            if not self.members_empty
            else {}
        )
        if by_number:
            # The members the file no longer lists: the others came with the first query.
            where, params = (
                "household_id = ANY(%s) AND removed_at IS NULL",
                [[pk for pk, _ in by_number.values()]],
            )
            if not self.members_empty:
                where, params = f"{where} AND id_number <> ALL(%s)", [*params, self.batch_ids]
            members.update(load_compact(Member, where, params, m_attnames))
        household_numbers = {pk: values["number"] for pk, values in existing.items()}
        outside = {row[0] for row in members.values() if row[0] not in household_numbers}
        if outside:
            household_numbers.update(
                dict(Household.objects.filter(id__in=outside).values_list("id", "number"))
            )
        member_by_id = {row[1]: (pk, row) for pk, row in members.items()}
        self._check_person_numbers_free()
        # 人编号 in use per household, for numbering its new members after them.
        self.numbers_in_household: dict[int, set[str]] = {}
        for row in members.values():
            if row[2]:
                self.numbers_in_household.setdefault(row[0], set()).add(row[2])
        # Members who left keep their 人编号 (households.changes): it is not given to anyone else.
        for household_id, number in (
            (
                Member.everyone.filter(household_id__in=household_numbers, removed_at__isnull=False)
                .exclude(person_number="")
                .values_list("household_id", "person_number")
            )
            if household_numbers
            else ()
        ):
            self.numbers_in_household.setdefault(household_id, set()).add(number)
        kept: set[int] = set()
        m_defaults, h_defaults, stamp = self.m_defaults, self.h_defaults, self.stamp
        counts = self.result.counts
        incomes = (
            self._incomes([pk for pk, _ in by_number.values()])
            if "x.per_capita_income" in self.header and by_number
            else {}
        )
        for draft in self.households.values():
            current = by_number.get(draft.number)
            if current is not None and not group_codes.get(current[1]["group_id"], "").startswith(prefix):
                self.error(draft.row, "h.number", draft.number, "该户编号已被您管辖范围以外的户使用")
                continue
            h_values = {name: draft.values[name] for name in self.h_fields if name in draft.values}
            if draft.group_id is not None:
                h_values["group_id"] = draft.group_id
            # Not a 危房户 any more: its stored 危房等级 goes too (the file has no column to clear it).
            if h_values.get("dangerous_house") is False:
                h_values.setdefault("dangerous_house_grade", "")
            merged = {**(h_defaults if current is None else current[1]), **h_values}
            irrigated, arable = merged.get("irrigated_land"), merged.get("arable_land")
            if irrigated is not None and arable is not None and irrigated > arable:
                key = "h.irrigated_land" if "h.irrigated_land" in self.header else "h.arable_land"
                self.error(
                    draft.row, key, irrigated, f"有效灌溉面积({irrigated}亩)不能大于耕地面积({arable}亩)"
                )
            if message := other_cause_error(merged):
                key = "h.other_cause_note" if "h.other_cause_note" in self.header else "h.main_cause"
                self.error(draft.row, key, merged.get("other_cause_note", ""), message)
            changed_fields: list[str] = []
            if current is None:
                household_id = None
                row = {
                    **h_defaults,
                    **h_values,
                    "number": draft.number,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                self.h_new.append(row)
                counts["households_created"] += 1
                action = "新增"
            else:
                household_id, stored = current
                changed_fields = [name for name, value in h_values.items() if stored[name] != value]
                if changed_fields:
                    self.h_changed.append({"id": household_id, **h_values})
                    counts["households_updated"] += 1
                    action = "更新"
                else:
                    counts["households_unchanged"] += 1
                    action = ""
            member_changes = self._compare_members(
                draft, household_id, member_by_id, household_numbers, kept, m_defaults
            )
            if not action and member_changes:
                action = "成员变动"
            if action and len(self.result.sample) < SAMPLE_SIZE:
                self.result.sample.append(
                    {
                        "number": draft.number,
                        "action": action,
                        "members": len(draft.members),
                        "changes": "、".join(
                            [self._label("h." + f) for f in changed_fields if f != "group_id"]
                            + (["所属村民小组"] if "group_id" in changed_fields else [])
                            + member_changes
                        ),
                    }
                )
            if (
                household_id is not None
                and household_id in incomes
                and draft.values.get("per_capita_income") is not None
            ):
                stored_income = incomes[household_id]
                if abs(stored_income - draft.values["per_capita_income"]) > Decimal("1"):
                    counts["income_mismatch"] = counts.get("income_mismatch", 0) + 1
        # Registered members of the file's households that the file no longer lists.
        for pk, row in members.items():
            if pk not in kept and household_numbers.get(row[0]) in self.households:
                self.m_removed.append({"id": pk})
                self.removed_ids.add(row[1])
                counts["members_removed"] += 1
        self._check_generated_person_numbers()
        self.with_income += sum(
            1 for d in self.households.values() if d.values.get("per_capita_income") is not None
        )
        self.incomes_found += len(incomes)

    def _label(self, key: str) -> str:
        return self.header.get(key) or next((c.label for c in COLUMNS.values() if c.key == key), key)

    def _compare_members(
        self, draft, household_id, member_by_id, household_numbers, kept, m_defaults
    ) -> list[str]:
        changes: list[str] = []
        unnumbered: list[tuple[int, dict]] = []
        for member in draft.members:
            values = member.values
            number = values.get("id_number")
            if not number or values.get("_invalid") or self.seen.get(number, (None, 0))[1] != member.row:
                continue
            # No longer 残疾: the stored 残疾等级 and 残疾证号 go too (the roster has no columns for them).
            if values.get("health", choices.Health.DISABLED) != choices.Health.DISABLED:
                values.setdefault("disability_grade", "")
                values.setdefault("disability_certificate", "")
            current = member_by_id.get(number)
            if current is not None:
                pk, row = current
                stored = dict(zip(self.m_attnames, row, strict=True))
                registered_in = household_numbers.get(stored["household_id"])
                if registered_in != draft.number and registered_in not in self.households:
                    if not self.whole_file:
                        raise Scattered(number)  # the other household may come in a later batch
                    self.error(
                        member.row,
                        "m.id_number",
                        number,
                        f"此人已登记在户编号{registered_in}的家庭中,一人只能属于一户",
                    )
                    continue
                merged = {**stored, **values}
            elif number in self.removed_ids:
                raise Scattered(number)  # an earlier batch took this person off their household
            else:
                # The draft's own dict becomes the row to insert: one dict per person, no copies.
                merged = values = member.values = {**m_defaults, **values}
            # The 花名册 has no 残疾等级 column: a grade missing is completed on the 户卡, not refused here.
            messages = check_member(merged, today=self.today, grade_required=False)
            for name, message in messages.items():
                self.error(
                    member.row, f"m.{name}", merged.get(name) if name != "id_number" else number, message
                )
            if messages:
                continue
            # A valid number: gender and birth date are read from it when the file lacks them.
            if not values.get("gender"):
                values["gender"] = "男" if int(number[16]) % 2 else "女"
            if not values.get("birth_date"):
                values["birth_date"] = datetime.date(
                    int(number[6:10]), int(number[10:12]), int(number[12:14])
                )
            if merged.get("health") == choices.Health.DISABLED and not merged.get("disability_grade"):
                self.warn(
                    member.row, "m.health", merged["health"], "残疾等级未填:已导入,请在户卡中补录残疾等级"
                )
            if current is None:
                if not values.get("person_number"):
                    unnumbered.append((member.row, values))
                values["household_id"] = draft.number  # the id once the household exists
                self.m_new.append(values)
                self.result.counts["members_created"] += 1
                if household_id is not None:
                    changes.append(f"新增成员{values.get('name', '')}")
                continue
            kept.add(pk)
            diff = [name for name in self.m_fields if name in values and stored.get(name) != values[name]]
            moved = household_numbers.get(stored["household_id"]) != draft.number
            if diff or moved:
                self.m_changed.append(
                    {
                        "id": pk,
                        **{name: values[name] for name in self.m_fields if name in values},
                        "_household": draft.number,
                    }
                )
                self.result.counts["members_updated"] += 1
                changes.append(
                    f"成员{values.get('name', '')}的" + "、".join(self._label("m." + f) for f in diff)
                    if diff
                    else f"成员{values.get('name', '')}迁入"
                )
            else:
                self.result.counts["members_unchanged"] += 1
        if unnumbered:
            self._number_people(draft, household_id, unnumbered)
        return changes

    def _number_people(
        self, draft: HouseholdDraft, household_id: int | None, unnumbered: list[tuple[int, dict]]
    ) -> None:
        """人编号 for the household's new members the file gives none: after the ones in use."""
        taken = set(self.numbers_in_household.get(household_id, ())) if household_id else set()
        taken.update(m.values["person_number"] for m in draft.members if m.values.get("person_number"))
        for (row, values), number in zip(
            unnumbered, person_numbers(draft.number, taken, len(unnumbered)), strict=True
        ):
            values["person_number"] = number
            self.generated_person_numbers[number] = (row, values)

    def _check_person_numbers_free(self) -> None:
        """The file's 人编号 must not belong to another registered person."""
        if not self.batch_person_numbers or self.members_empty:
            return
        rows = fetch(
            # `<> ''` lets PostgreSQL use the partial unique index: otherwise a scan of every member per batch.
            "SELECT person_number, id_number FROM households_member WHERE person_number = ANY(%s)"
            " AND person_number <> ''",
            [self.batch_person_numbers],
        )
        for person_number, holder in rows:
            row, id_number = self.given[person_number]
            if holder != id_number:
                self.error(
                    row,
                    "m.person_number",
                    person_number,
                    f"人编号已被另一名已登记的成员(身份证号尾号{holder[-4:]})使用,人编号不能重复",
                )

    def _check_generated_person_numbers(self) -> None:
        """Numbers drawn here could only collide with a person who moved away and kept theirs."""
        if not self.generated_person_numbers or self.members_empty:
            return
        rows = fetch(
            "SELECT person_number FROM households_member WHERE person_number = ANY(%s) AND person_number <> ''",
            [list(self.generated_person_numbers)],
        )
        for (person_number,) in rows:
            row, values = self.generated_person_numbers[person_number]
            self.error(
                row,
                "m.person_number",
                person_number,
                f"为{values.get('name', '')}生成的人编号已被其他成员使用,请在文件中填写人编号",
            )

    def _incomes(self, household_ids: list[int]) -> dict[int, Decimal]:
        record_ids = [
            r[0]
            for r in fetch(
                "SELECT id FROM households_incomerecord WHERE year = %s AND household_id = ANY(%s)",
                [self.income_year, household_ids],
            )
        ]
        incomes = {}
        for start in range(0, len(record_ids), 5000):
            for record in IncomeRecord.objects.filter(id__in=record_ids[start : start + 5000]):
                incomes[record.household_id] = record.per_capita_net_income
        return incomes

    def finish(self) -> None:
        """The notes on the whole file, once every batch is checked."""
        if "x.per_capita_income" not in self.header:
            return
        skipped = self.with_income - self.incomes_found
        if skipped > 0:
            self.result.notes.append(
                f"{skipped} 户的“{self.header['x.per_capita_income']}”未导入:人均纯收入由{self.income_year}年的收入明细计算,"
                "系统中尚无该年度收入记录,请在户卡中录入收入明细。"
            )
        mismatch = self.result.counts.get("income_mismatch", 0)
        if mismatch:
            self.result.notes.append(
                f"{mismatch} 户的“{self.header['x.per_capita_income']}”与系统中{self.income_year}年收入记录计算的结果相差1元以上,"
                "以系统记录为准,请核对。"
            )
