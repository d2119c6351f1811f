"""Lists and counts bounded by the area: each household's copies of its group code and persons (kept by
the database's triggers on every path), the list order they index, and the plans of the main queries."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.urls import reverse

from households.bulk import copy_insert, copy_rows
from households.models import Case, Household, Member
from households.persons import copies_drift, rebuild_copies, recount_persons
from households.selectors import households_for
from reports import statistics
from tests.factories import HouseholdFactory, MemberFactory, group


def persons_of(household: Household) -> int:
    return Household.objects.values_list("persons", flat=True).get(pk=household.pk)


def area_code_of(household: Household) -> str:
    return Household.objects.values_list("area_code", flat=True).get(pk=household.pk)


def test_a_new_household_carries_its_groups_code(county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    assert area_code_of(household) == "530323101201001"


def test_moving_a_household_to_another_group_moves_its_code(county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    household.group = county_tree.potou
    household.save()
    assert area_code_of(household) == county_tree.potou.code


def test_a_written_code_cannot_disagree_with_the_group(county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    Household.objects.filter(pk=household.pk).update(area_code="530323102202001")
    assert area_code_of(household) == county_tree.dazhai.code


def test_a_renumbered_group_takes_its_households_along(county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    county_tree.dazhai.code = "530323101201009"
    county_tree.dazhai.save()
    assert area_code_of(household) == "530323101201009"


def case_codes(household: Household) -> list[str]:
    return list(Case.objects.filter(household=household).values_list("area_code", flat=True))


def fupin_case(household: Household) -> Case:
    return Case.objects.create(household=household, program="fupin", entered_year=2014)


def test_a_new_case_carries_its_households_code(county_tree):
    case = fupin_case(HouseholdFactory(group=county_tree.dazhai))
    assert Case.objects.values_list("area_code", flat=True).get(pk=case.pk) == county_tree.dazhai.code


def test_moving_a_household_moves_its_cases_codes(county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    fupin_case(household)
    Case.objects.create(household=household, program="dibao", entered_year=2014)
    household.group = county_tree.potou
    household.save()
    assert case_codes(household) == [county_tree.potou.code] * 2
    # An update that names the group alone (no area_code in its SET) moves the cases too.
    Household.objects.filter(pk=household.pk).update(group=county_tree.xincun)
    assert case_codes(household) == [county_tree.xincun.code] * 2


def test_a_renumbered_group_takes_its_cases_along(county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    fupin_case(household)
    county_tree.dazhai.code = "530323101201009"
    county_tree.dazhai.save()
    assert case_codes(household) == ["530323101201009"]


def test_a_case_moved_to_another_household_takes_that_households_code(county_tree):
    # 分户: a case follows the new household it is given to.
    case = fupin_case(HouseholdFactory(group=county_tree.dazhai))
    new_household = HouseholdFactory(group=county_tree.xincun)
    Case.objects.filter(pk=case.pk).update(household=new_household)
    assert case_codes(new_household) == [county_tree.xincun.code]


def test_a_written_case_code_cannot_disagree_with_the_household(county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    case = fupin_case(household)
    Case.objects.filter(pk=case.pk).update(area_code="530323102202001")
    assert case_codes(household) == [county_tree.dazhai.code]


def test_a_copy_of_many_cases_carries_their_households_codes(county_tree):
    households = [HouseholdFactory(group=g) for g in (county_tree.dazhai, county_tree.xincun)]
    with transaction.atomic():
        copy_insert([Case(household=h, program="fupin", entered_year=2014) for h in households])
    assert [case_codes(h) for h in households] == [[county_tree.dazhai.code], [county_tree.xincun.code]]


def test_persons_follow_members_added_removed_and_moved(county_tree):
    first = HouseholdFactory(group=county_tree.dazhai)
    second = HouseholdFactory(group=county_tree.xincun)
    head = MemberFactory(household=first)
    child = MemberFactory(household=first, relation="之子")
    assert (persons_of(first), persons_of(second)) == (2, 0)
    child.household = second
    child.relation = "户主"
    child.save()
    assert (persons_of(first), persons_of(second)) == (1, 1)
    head.delete()
    assert persons_of(first) == 0


def test_persons_follow_a_copy_of_many_members(county_tree):
    households = [HouseholdFactory(group=county_tree.dazhai) for _ in range(3)]
    members = [
        MemberFactory.build(household=h, relation="户主" if i == 0 else "之子")
        for n, h in enumerate(households)
        for i in range(n + 1)
    ]
    with transaction.atomic():
        copy_insert(members)
    assert [persons_of(h) for h in households] == [1, 2, 3]


def test_rebuild_repairs_copies_written_past_the_triggers(county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    MemberFactory(household=household)
    fupin_case(household)
    other = HouseholdFactory(group=county_tree.xincun)
    fupin_case(other)
    with connection.cursor() as cursor:
        # As a restore or a replica's apply would: triggers do not fire in this mode.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE households_household SET persons = 7, area_code = '530323102202001' WHERE id = %s",
            [household.pk],
        )
        cursor.execute(
            "UPDATE households_case SET area_code = '530323102202001' WHERE household_id = %s", [other.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert copies_drift() == (1, 1, 1)
    assert rebuild_copies() == (1, 1, 1)
    assert copies_drift() == (0, 0, 0)
    assert (area_code_of(household), persons_of(household)) == (county_tree.dazhai.code, 1)
    assert (case_codes(household), case_codes(other)) == (
        [county_tree.dazhai.code],
        [county_tree.xincun.code],
    )


def test_recount_persons_of_named_households(county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    MemberFactory(household=household)
    Household.objects.filter(pk=household.pk).update(persons=5)
    recount_persons([household.pk])
    assert persons_of(household) == 1


def test_the_list_runs_by_group_then_number_even_for_national_numbers(client, users, county_tree):
    # Imported national 户编号 need not start with the group's code: the list still keeps a group together.
    second_group = group(county_tree.shanlong, "003", "中寨组")
    HouseholdFactory(number="5303231012010010001", group=county_tree.dazhai)
    HouseholdFactory(number="5303231012010010002", group=county_tree.dazhai)
    HouseholdFactory(number="1000000000000001", group=second_group)
    HouseholdFactory(number="9000000000000001", group=county_tree.xiaozhai)
    client.force_login(users.alice)
    page = client.get(reverse("households:list")).context["page"]
    assert [h.number for h in page.rows] == [
        "5303231012010010001",
        "5303231012010010002",
        "9000000000000001",
        "1000000000000001",
    ]


def test_keyset_pages_follow_the_list_order_both_ways(client, users, county_tree, monkeypatch):
    from households import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    second_group = group(county_tree.shanlong, "003", "中寨组")
    numbers = ["5303231012010010001", "5303231012010010002", "9000000000000001", "1000000000000001"]
    HouseholdFactory(number=numbers[0], group=county_tree.dazhai)
    HouseholdFactory(number=numbers[1], group=county_tree.dazhai)
    HouseholdFactory(number=numbers[2], group=county_tree.xiaozhai)
    HouseholdFactory(number=numbers[3], group=second_group)
    client.force_login(users.alice)
    url = reverse("households:list")
    first = client.get(url).context["page"]
    second = client.get(url, {"after": first.next_after}).context["page"]
    back = client.get(url, {"before": second.prev_before}).context["page"]
    assert [h.number for h in first.rows] == numbers[:2]
    assert [h.number for h in second.rows] == numbers[2:] and second.next_after is None
    assert [h.number for h in back.rows] == numbers[:2]


# --- Plans -------------------------------------------------------------------------------------------------
# A registry big enough for the planner to choose as it does at scale (a test-sized one is read whole by
# any plan): 12 townships × 10 villages × 5 groups × 30 households, 3 members each, a third of them on a
# roll, ANALYZEd. The worst village is the last one in code order: a walk of the 户编号 index from the
# start would read every other household before reaching it.

TOWNSHIPS, VILLAGES, GROUPS, PER_GROUP = 12, 10, 5, 30


@pytest.fixture
def big_registry(county_tree):
    from villages.models import Area

    areas = []
    for t in range(TOWNSHIPS):
        t_code = f"530323{110 + t:03d}"
        areas.append((f"{t_code}000", "township", county_tree.county.pk, None))
        for v in range(VILLAGES):
            areas.append((f"{t_code}{201 + v:03d}", "village", None, f"{t_code}000"))
            for g in range(GROUPS):
                areas.append((f"{t_code}{201 + v:03d}{g + 1:03d}", "group", None, f"{t_code}{201 + v:03d}"))
    ids: dict[str, int] = {}
    for code, level, parent_id, parent_code in areas:
        ids[code] = Area.objects.create(
            code=code, name=code, level=level, parent_id=parent_id or ids[parent_code]
        ).pk
    groups = [code for code, level, *_ in areas if level == "group"]
    columns = ["number", "group_id", "area_code", "persons", "address", "phone", "bank_name", "bank_account"]
    columns += ["standard", "attribute", "main_cause", "other_causes", "other_cause_note", "deep_poverty"]
    columns += ["road_type", "dangerous_house_grade", "fuel", "created_at", "updated_at"]
    blank = ("", "", "", "")
    copy_rows(
        "households_household",
        columns,
        (
            (f"{code}{i:04d}", ids[code], "", 0, *blank, "国家标准", "一般贫困户", "因病", "{}", "", False)
            + ("", "", "", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
            for code in groups
            for i in range(1, PER_GROUP + 1)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO households_member (household_id, name, id_number, gender, birth_date, relation,"
            " ethnicity, school_status, health, person_number, disability_certificate, disability_grade,"
            " labour, work_status, basic_medical_insurance, serious_illness_insurance, pension_insurance,"
            " serviceman, phone, education, removal_reason)"
            " SELECT h.id, '张三', lpad((h.id * 3 + k)::text, 17, '0') || '1', '男', '1980-01-01',"
            " CASE k WHEN 0 THEN '户主' ELSE '之子' END, '汉族', '非在校生', '健康', '', '', '', '', '',"
            " true, false, false, false, '', '', ''"
            " FROM households_household h, generate_series(0, 2) k"
        )
        cursor.execute(
            "INSERT INTO households_case (household_id, program, entered_year, state, poverty_class, note)"
            " SELECT id, 'fupin', 2014, 'active', 3, '' FROM households_household WHERE id % 3 = 0"
        )
        cursor.execute("ANALYZE households_household, households_member, households_case, villages_area")
    last_village = Area.objects.filter(level="village").order_by("-code").first()
    return last_village


OTHER_COUNTIES, PER_OTHER_COUNTY = 8, 6000


@pytest.fixture
def prefecture(big_registry, county_tree):
    """big_registry's county among eight others of the same prefecture in one database, every household of
    theirs on the 扶贫 roll: the county holds a ninth of the case table, as 师宗县 does in 曲靖市."""
    from villages.models import Area

    for n in range(OTHER_COUNTIES):
        code = f"5303{24 + n:02d}"
        parent = Area.objects.create(code=f"{code}000000", name=code, level="county")
        for level, suffix in (("township", "101000"), ("village", "101201"), ("group", "101201001")):
            parent = Area.objects.create(code=f"{code}{suffix}", name=code, level=level, parent=parent)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO households_household (number, group_id, address, phone, bank_name, bank_account,"
                " standard, attribute, main_cause, other_causes, other_cause_note, deep_poverty, road_type,"
                " dangerous_house_grade, fuel, created_at, updated_at)"
                " SELECT %s || lpad(i::text, 5, '0'), %s, '', '', '', '', '国家标准', '一般贫困户', '因病', '{}',"
                " '', false, '', '', '', now(), now() FROM generate_series(1, %s) i",
                [parent.code, parent.pk, PER_OTHER_COUNTY],
            )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO households_case (household_id, program, entered_year, state, poverty_class, note)"
            " SELECT id, 'fupin', 2014, 'active', 3, '' FROM households_household WHERE area_code NOT LIKE '530323%'"
        )
        cursor.execute("ANALYZE households_household, households_case, villages_area")
    return county_tree.county


def explain(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def scans(plan: dict) -> list[tuple[str, str, str]]:
    """(node type, relation, index) of every scan in the plan."""
    found = []
    if "Relation Name" in plan or "Index Name" in plan:
        found.append((plan["Node Type"], plan.get("Relation Name", ""), plan.get("Index Name", "")))
    for child in plan.get("Plans", []):
        found += scans(child)
    return found


def reads_only_the_area_range(found: list[tuple[str, str, str]]) -> bool:
    """The household table is reached through household_area_number (an index or bitmap scan of the
    area's range), never read whole and never walked along the 户编号 index."""
    indexes = {index for _node, _relation, index in found if index}
    whole = any(node == "Seq Scan" and relation == "households_household" for node, relation, _ in found)
    return "household_area_number" in indexes and not (indexes & number_index()) and not whole


def number_index() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
            " WHERE i.indrelid = 'households_household'::regclass AND a.attname = 'number' AND i.indnatts = 1"
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_village_list_reads_its_own_range_of_the_area_index(big_registry, users):
    from tests.factories import UserFactory

    cadre = UserFactory(role="village_cadre", area=big_registry)
    queryset = households_for(cadre).order_by("area_code", "number")[:51]
    sql, params = queryset.query.sql_with_params()
    plan = explain(sql, params)
    assert reads_only_the_area_range(scans(plan)), scans(plan)
    assert len(list(queryset)) == 51


def reads_only_the_areas_cases(found: list[tuple[str, str, str]]) -> bool:
    """The case table is reached through case_area_program_state (the area's range), never read whole
    nor through another of its indexes. (A bitmap heap scan names the table, its index scan the index.)"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'households_case'")
        case_indexes = {row[0] for row in cursor.fetchall()}
    used = {index for _node, _relation, index in found} & case_indexes
    return used == {"case_area_program_state"} and ("Seq Scan", "households_case", "") not in found


@pytest.mark.parametrize("level", ["village", "township"])
def test_dashboard_statements_read_the_areas_rows_and_no_member(big_registry, level):
    area = big_registry if level == "village" else big_registry.parent
    params = {"digits": 15 if level == "village" else 12, "like": f"{area.scope_prefix}%"}
    registry = scans(explain(statistics._REGISTRY_SQL, params))
    cases = scans(explain(statistics._CASES_SQL, params))
    for found in (registry, cases):
        relations = {relation for _node, relation, _index in found}
        assert "households_member" not in relations and "villages_area" not in relations, found
        assert not any(node == "Seq Scan" for node, _relation, _index in found), found
        assert not {index for _node, _relation, index in found} & number_index(), found
    assert reads_only_the_area_range(registry), registry
    # The area's cases by their own code; their households by that range or one key lookup each.
    assert reads_only_the_areas_cases(cases), cases


def test_the_county_statements_read_no_member(big_registry):
    params = {"digits": 9, "like": "530323%"}
    for sql in (statistics._REGISTRY_SQL, statistics._CASES_SQL):
        relations = {relation for _node, relation, _index in scans(explain(sql, params))}
        assert "households_member" not in relations and "villages_area" not in relations


def test_a_countys_cases_statement_reads_only_its_own_cases_in_a_prefecture(prefecture):
    found = scans(explain(statistics._CASES_SQL, {"digits": 9, "like": f"{prefecture.scope_prefix}%"}))
    assert reads_only_the_areas_cases(found), found


def test_the_statistics_count_persons_from_the_copies(big_registry, users):
    figures = statistics.figures_for(big_registry, user=None)
    assert figures.households == GROUPS * PER_GROUP
    assert figures.persons == 3 * GROUPS * PER_GROUP
    assert figures.persons == Member.objects.filter(household__group__parent=big_registry).count()


def test_the_recount_reads_members_through_the_household_index_only(big_registry):
    """Whatever the statistics say: with `removed_at IS NULL` in its WHERE clause the recount let the planner
    AND the household index with the partial 身份证号 index, reading that whole index once per household when
    the statistics lagged behind the rows (this module's fixture, rebuilt per test: minutes per test)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'households_recount_persons'")
        body = cursor.fetchone()[0].replace("unnest(ids)", "unnest(%s::bigint[])")
        # Statistics that lag behind the rows, as after an ANALYZE rolled back or before the first one:
        # no column statistics, so `removed_at IS NULL` looks as selective as a key.
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = 'households_member'::regclass")
    ids = list(Household.objects.values_list("pk", flat=True)[:3000])
    indexes = {index for _node, _relation, index in scans(explain(body, [ids] * body.count("%s")))}
    assert "households_member_household_id_b35f1f11" in indexes
    assert "households_member_id_number_current" not in indexes
