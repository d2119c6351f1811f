import csv
import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import two_factor
from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import Role, User
from villages.demo import demo_area_tree
from villages.models import SIGNIFICANT_DIGITS, Area

ANNEX = Path(__file__).resolve().parents[2] / "villages" / "data" / "shizong-2012-quota-annex.csv"


def flatten(node):
    yield (node.code, node.name, node.level, tuple(sorted(node.indicators.items())))
    for child in node.children:
        yield from flatten(child)


def test_same_seed_gives_the_same_county_and_another_seed_another():
    first = list(flatten(demo_area_tree(random.Random(7))))
    assert first == list(flatten(demo_area_tree(random.Random(7))))
    assert first != list(flatten(demo_area_tree(random.Random(8))))


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_demo", "--seed", "7", "--households", "400", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_the_county_of_seed_002(seeded):
    county = Area.objects.get(level=Area.Level.COUNTY)
    assert (county.code, county.name) == ("530323000000", "师宗县")
    with open(ANNEX, encoding="utf-8") as f:
        annex = {row["乡镇名"]: row for row in csv.DictReader(f) if row["乡镇名"] != "合计"}
    townships = {t.name: t for t in Area.objects.filter(level=Area.Level.TOWNSHIP)}
    assert set(townships) == set(annex)
    for name, row in annex.items():
        t = townships[name]
        assert (t.rural_population, t.low_income_population, t.dibao_population, t.disabled_population) == (
            int(row["乡村人口数"]),
            int(row["低收入家庭人口数"]),
            int(row["享受低保人数"]),
            int(row["已办证残疾人数"]),
        )
    assert Area.objects.filter(level=Area.Level.VILLAGE).count() == 115  # every real village of 师宗县
    for village in Area.objects.filter(level=Area.Level.VILLAGE).prefetch_related("children"):
        assert 4 <= len(village.children.all()) <= 10
    assert "cungan" in seeded and DEMO_PASSWORD in seeded


def test_seed_demo_codes_nest(seeded):
    areas = {a.pk: a for a in Area.objects.all()}
    for area in areas.values():
        assert len(area.code) == (15 if area.level == Area.Level.GROUP else 12)
        assert area.code[: SIGNIFICANT_DIGITS[area.level]].ljust(len(area.code), "0") == area.code
        if area.parent_id:
            parent = areas[area.parent_id]
            assert area.code.startswith(parent.scope_prefix), (area.code, parent.code)
            assert (
                list(Area.Level.values).index(area.level) == list(Area.Level.values).index(parent.level) + 1
            )
    danfeng = Area.objects.get(name="丹凤镇")
    assert danfeng.code == "530323101000"
    assert Area.objects.filter(parent=danfeng, name="漾月社区居民委员会").exists()


def test_seed_demo_creates_one_working_account_per_role(seeded, client):
    logins = User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    # Every role but the 市's, whose account comes with a prefecture (seed_demo --counties).
    assert sorted(logins.values_list("role", flat=True)) == sorted(set(Role.values) - {Role.CITY_FUPIN})
    # The other villages' staff of the demo round (identification.demo) cannot log in until given a password.
    assert not any(u.has_usable_password() for u in User.objects.exclude(pk__in=logins))
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        user.full_clean()  # role and area level agree
        response = client.post(reverse("login"), {"username": account.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, account.username
    assert User.objects.get(username="xiangzhen").area.name == "丹凤镇"


def test_seed_demo_refuses_to_seed_twice_but_if_empty_only_prints_accounts(seeded):
    count = Area.objects.count()
    with pytest.raises(CommandError, match="已有区划数据"):
        call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue() and "cungan" in out.getvalue()
    assert Area.objects.count() == count


def test_seed_demo_shows_its_progress_and_how_to_get_the_code(seeded):
    for step in range(1, 10):
        assert f"[{step}/9]" in seeded
    assert "demo_otp fupinban" in seeded


def test_demo_county_accounts_sign_in_with_the_code_demo_otp_prints(seeded):
    from django.test import Client

    for account in DEMO_ACCOUNTS:
        client = Client()
        response = client.post(reverse("login"), {"username": account.username, "password": DEMO_PASSWORD})
        if account.role not in two_factor.REQUIRED_ROLES:
            assert client.get(reverse("home"), follow=True).status_code == 200, account.username
            continue
        assert client.get(response["Location"])["Location"].startswith(reverse("two_factor_verify"))
        out = StringIO()
        call_command("demo_otp", account.username, stdout=out, stderr=StringIO())
        verified = client.post(reverse("two_factor_verify"), {"token": out.getvalue().strip()})
        assert verified["Location"] == "/", account.username
        assert client.get(reverse("home")).status_code == 200
