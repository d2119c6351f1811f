"""Hostile input to the household, member, income, survey, meeting and notice forms.

Every generated submission ends in a Chinese message on a field (200, nothing written: every table's
rows hashed before and after) or a clean save (302) whose pages — 户卡, print, list — show what was
typed escaped. Never a 500, never a partial write. Each example runs in a savepoint rolled back
afterwards, so examples do not see each other's rows.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from households.models import Household
from identification.choices import State
from tests.access import sweep
from tests.factories import id_number_for
from tests.hostile.inputs import dates, hostile, markup_in, numbers, text
from tests.households.test_views import household_post, member_post

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same inputs on every run: a failure reproduces, the figures are stable
)
CJK = re.compile(r"[\u4e00-\u9fff]")
TRIED: Counter[str] = Counter()
SAVED: Counter[str] = Counter()


class Rollback(Exception):
    pass


def submit(client, token, url: str, data: dict, *, pages=lambda: []) -> tuple:
    """POST `data`; on a save, GET `pages()`; all inside a savepoint that is rolled back.
    Returns (status, tables written, pages shown after a save, the response)."""
    result: tuple = (0, [], [], None)
    try:
        with transaction.atomic():
            before = sweep.fingerprint()
            response = client.post(url, {"csrfmiddlewaretoken": token, **data})
            written = sweep.changed_tables(before, sweep.fingerprint()) if response.status_code != 500 else []
            shown = []
            if response.status_code == 302:
                shown = [client.get(page).content.decode() for page in pages()]
            result = (response.status_code, written, shown, response)
            raise Rollback
    except Rollback:
        pass
    return result


def check(outcome, typed: dict, form: str) -> None:
    code, written, shown, response = outcome
    TRIED[form] += 1
    SAVED[form] += code == 302
    assert code in (200, 302), f"{form}: {code} for {typed!r}"[:2000]
    if code == 200:
        assert written == [], f"{form}: refused but wrote {written}"
        body = response.content.decode()
        assert CJK.search(body)
        if "errorlist" not in body and 'class="error' not in body:
            pytest.fail(f"{form}: refused without a message on the page for {typed!r}"[:2000])
    for page in shown:
        for value in markup_in(typed.values()):
            assert value not in page, f"{form}: {value!r} shown unescaped"


@pytest.fixture
def cadre(users):
    return sweep.signed_in_client(users.alice)


# 贫困户登记表 with a member ----------------------------------------------------------------------

PERSON = id_number_for(4242)
HOUSEHOLD = {
    "number": "530323101201009999",
    "address": "山龙村大寨组8号",
    "phone": "13800000000",
    "bank_account": "6228480000000000",
    "arable_land": "3.5",
    "housing_area": "80",
    "road_distance_km": "1.2",
    "name": "王家旺",
    "member_phone": "",
    "birth_date": f"{PERSON[6:10]}-{PERSON[10:12]}-{PERSON[12:14]}",
    "work_months": "6",
}
HOUSEHOLD_KINDS = {
    "number": text,
    "address": text,
    "phone": text,
    "bank_account": text,
    "arable_land": numbers,
    "housing_area": numbers,
    "road_distance_km": numbers,
    "name": text,
    "member_phone": text,
    "birth_date": dates,
    "work_months": numbers,
}


@EXAMPLES
@given(typed=hostile(HOUSEHOLD, HOUSEHOLD_KINDS))
def test_household_form_with_a_member(county_tree, users, cadre, typed):
    client, token = cadre
    member = member_post(
        0,
        name=typed["name"],
        id_number=PERSON,
        phone=typed["member_phone"],
        work_months=typed["work_months"],
        birth_date=typed["birth_date"],
        labour="普通劳动力",
    )
    data = household_post(
        county_tree.dazhai,
        member,
        number=typed["number"],
        address=typed["address"],
        phone=typed["phone"],
        bank_account=typed["bank_account"],
        arable_land=typed["arable_land"],
        housing_area=typed["housing_area"],
        road_distance_km=typed["road_distance_km"],
    )

    def pages():
        household = Household.objects.get(members__id_number=PERSON)
        return [
            reverse("households:detail", args=[household.pk]),
            reverse("households:print", args=[household.pk]),
            reverse("households:list"),
        ]

    check(submit(client, token, reverse("households:create"), data, pages=pages), typed, "贫困户登记表")


# 收入 -------------------------------------------------------------------------------------------


@pytest.fixture
def household(county_tree):
    from tests.identification.flow import make_household

    return make_household(county_tree.dazhai)


INCOME = {
    "year": "2013",
    "persons": "3",
    "wage_income": "3000",
    "business_income": "0",
    "business_expense": "0",
    "property_income": "0",
    "family_planning_subsidy": "0",
    "dibao_benefit": "0",
    "tekun_benefit": "0",
    "pension": "0",
    "ecological_compensation": "0",
    "other_transfer": "0",
}
INCOME_KINDS = {
    "year": st.one_of(numbers, st.sampled_from(["2099", "0", "65536", "1"])),
    "persons": numbers,
    "wage_income": numbers,
    "business_expense": numbers,
    "dibao_benefit": numbers,
}


@EXAMPLES
@given(typed=hostile(INCOME, INCOME_KINDS))
def test_income_form(household, users, cadre, typed):
    client, token = cadre
    url = reverse("households:income_create", args=[household.pk])
    shown = lambda: [reverse("households:detail", args=[household.pk])]  # noqa: E731
    check(submit(client, token, url, typed, pages=shown), typed, "收入")


# 评议会议, 入户调查, 公示 ---------------------------------------------------------------------------


@pytest.fixture
def agenda(flow):
    """A submitted application on the group's agenda, a reviewed one waiting for its survey and a
    verified one waiting for its 公示."""
    submitted = flow.new()
    [reviewed] = flow.advance([flow.new()], State.REVIEWED)
    [verified] = flow.advance([flow.new()], State.VERIFIED)
    return {"submitted": submitted, "reviewed": reviewed, "verified": verified}


TODAY = "2012-09-03"  # the calendar fixture's today
MEETING = {
    "held_on": TODAY,
    "attendance": "20",
    "attendees": "户主20人",
    "minutes": "投票推荐",
    "for": "15",
    "against": "5",
}
MEETING_KINDS = {
    "held_on": dates,
    "attendance": numbers,
    "attendees": text,
    "minutes": text,
    "for": numbers,
    "against": numbers,
}


@EXAMPLES
@given(typed=hostile(MEETING, MEETING_KINDS))
def test_meeting_form(agenda, county_tree, cadre, typed):
    client, token = cadre
    pk = agenda["submitted"].pk
    data = {**typed, f"for_{pk}": typed["for"], f"against_{pk}": typed["against"]}
    url = reverse("identification:meeting_create", args=["group", county_tree.dazhai.code])
    check(submit(client, token, url, data), typed, "评议会议")


SURVEY = {
    "surveyed_on": TODAY,
    "surveyors": "李明、王芳",
    "persons": "3",
    "family_situation": "一家三口,种植玉米",
    "assets": "砖木结构住房",
    "wage_income": "1000",
}
SURVEY_KINDS = {
    "surveyed_on": dates,
    "surveyors": text,
    "persons": numbers,
    "family_situation": text,
    "assets": text,
    "wage_income": numbers,
}


@EXAMPLES
@given(typed=hostile(SURVEY, SURVEY_KINDS))
def test_survey_form(agenda, cadre, typed):
    from identification import rules

    client, token = cadre
    application = agenda["reviewed"]
    data = {**typed, **dict.fromkeys(rules.SURVEY_QUESTIONS, "no")}
    url = reverse("identification:survey", args=[application.pk])
    shown = lambda: [reverse("identification:application", args=[application.pk])]  # noqa: E731
    check(submit(client, token, url, data, pages=shown), typed, "入户调查")


NOTICE = {
    "title": "",
    "starts_on": TODAY,
    "ends_on": "2012-09-10",
    "issuing_body": "山龙村两项制度有效衔接工作领导小组",
    "complaint_phone": "0874-5555555",
}
NOTICE_KINDS = {
    "title": text,
    "starts_on": dates,
    "ends_on": dates,
    "issuing_body": text,
    "complaint_phone": text,
}


@EXAMPLES
@given(typed=hostile(NOTICE, NOTICE_KINDS))
def test_notice_form(agenda, county_tree, cadre, typed):
    client, token = cadre
    url = reverse("identification:notice_create", args=["group", county_tree.dazhai.code])

    def shown():
        from identification.models import Notice

        notice = Notice.objects.order_by("-pk").first()
        return [
            reverse("identification:notice", args=[notice.pk]),
            reverse("identification:notice_print", args=[notice.pk]),
        ]

    data = {**typed, "applications": [agenda["verified"].pk]}
    check(submit(client, token, url, data, pages=shown), typed, "公示")


def test_figures(figures):
    """Runs after the forms above (file order): the number of hostile submissions tried."""
    total = sum(TRIED.values())
    parts = "、".join(f"{form} {n}(保存 {SAVED[form]})" for form, n in TRIED.items())
    figures(f"恶意输入: {total} 次表单提交({parts}),无 500、无部分写入、页面无未转义标记")


# Dates that record something already done cannot lie in the future (defect 9) --------------------


def test_future_dates_are_refused_on_their_field(agenda, county_tree, flow, cadre):
    client, token = cadre
    tomorrow = (flow.calendar.today + datetime.timedelta(days=1)).isoformat()
    pk = agenda["submitted"].pk
    meeting = client.post(
        reverse("identification:meeting_create", args=["group", county_tree.dazhai.code]),
        {
            "csrfmiddlewaretoken": token,
            "held_on": tomorrow,
            "attendance": "20",
            f"for_{pk}": "15",
            f"against_{pk}": "5",
        },
    )
    assert "会议日期不能晚于今天" in meeting.content.decode()
    survey = client.post(
        reverse("identification:survey", args=[agenda["reviewed"].pk]),
        {"csrfmiddlewaretoken": token, "surveyed_on": tomorrow, "surveyors": "李明、王芳", "persons": "3"},
    )
    assert "调查日期不能晚于今天" in survey.content.decode()
    from identification.forms import ApplicationForm

    form = ApplicationForm(
        {"household": "", "programs": "fupin", "origin": "applied", "applied_on": tomorrow},
        households=Household.objects.none(),
    )
    assert not form.is_valid() and "申请日期不能晚于今天" in form.errors["applied_on"][0]


def test_future_income_year_and_birth_date_are_refused(household, cadre):
    client, token = cadre
    next_year = datetime.date.today().year + 1
    response = client.post(
        reverse("households:income_create", args=[household.pk]),
        {"csrfmiddlewaretoken": token, "year": str(next_year), "persons": "3", "wage_income": "100"},
    )
    assert "收入年度不能晚于今年" in response.content.decode()
    from households.idnumber import InvalidIdNumber, build, parse

    with pytest.raises(InvalidIdNumber, match="出生日期"):
        parse(build("530323", datetime.date.today() + datetime.timedelta(days=400), 11))
