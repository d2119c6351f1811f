"""Identification at county scale: a township notice of 3,000 households (published through the service,
then its page and print), a bureau's county sample of 10,000 and its confirmation of 10,000.

    createdb -h 127.0.0.1 -U postgres jd_identbench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jd_identbench DEBUG=1
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/bench_identification.py

The areas and accounts come from seed_demo (with few households); the bench households, their heads
and applications are then written with COPY (households.bulk.copy_insert), followed by ANALYZE as
autovacuum would. The township notice is published with identification.services.notice_publish (timed);
its page and print page (the shared notices component) are requested 10 times each with django.test.Client
as the 丹凤镇 official; 扶贫办's county sample (spot_check_draw) and county_confirm_bulk of 10,000 publicized
applications run 3 times each, inside transactions rolled back afterwards. Medians are printed against the
targets.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

NOTICE_HOUSEHOLDS = 3_000
CONFIRM_APPLICATIONS = 10_000
PAGE_REQUESTS = 10
CONFIRM_RUNS = 3
NOTICE_TARGET_S = 1.0
CONFIRM_TARGET_S = 30.0
BENCH_ROUND = "基准测试批次"
TOWNSHIP = "530323101000"  # 丹凤镇


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _households(groups, count: int, start: int, person: int):
    """Unsaved households with one head each; numbers continue after the demo's (serial ≥ start), and
    the heads' ID numbers are the `person`-th onwards of the bench's own series."""
    from households.idnumber import build
    from households.models import Household, Member

    households, heads = [], []
    for i in range(count):
        group = groups[i % len(groups)]
        serial = start + i // len(groups)
        household = Household(
            number=f"{group.code}{serial:04d}", group=group, address=f"{group.name}{serial}号"
        )
        k = person + i
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=k // 400)
        heads.append(
            Member(
                household=household,
                name=f"户主{i}",
                id_number=build("530323", born, 500 + k % 400),
                gender="男" if k % 2 else "女",
                birth_date=born,
                relation="户主",
                labour="普通劳动力",
            )
        )
        households.append(household)
    return households, heads


def load() -> tuple:
    """Households, heads and applications with COPY; a township notice and a complete county sample."""
    from django.db import connection, transaction

    from accounts.models import User
    from households.bulk import copy_insert
    from identification import services
    from identification.choices import NoticeLevel, Origin, SpotCheckLevel, SpotCheckStatus, State
    from identification.models import Application, Round, SpotCheck, SpotCheckResult
    from identification.sampling import draw
    from identification.selectors import notice_context
    from notices.models import Notice
    from villages.models import Area

    round = Round.objects.filter(name=BENCH_ROUND).first()
    official = User.objects.get(username="xiangzhen")
    fupin = User.objects.get(username="fupinban")
    if round is not None:
        return round, Notice.objects.get(context=notice_context(round)), official, fupin, None
    started = time.monotonic()
    with transaction.atomic():
        round = Round.objects.create(year=2014, name=BENCH_ROUND, poverty_line=2736, dibao_line=1800)
        township = Area.objects.get(code=TOWNSHIP)
        danfeng = list(Area.objects.filter(level=Area.Level.GROUP, code__startswith=township.scope_prefix))
        county = list(
            Area.objects.filter(level=Area.Level.GROUP).exclude(code__startswith=township.scope_prefix)
        )
        notice_hh, notice_heads = _households(danfeng, NOTICE_HOUSEHOLDS, 5000, 0)
        confirm_hh, confirm_heads = _households(county, CONFIRM_APPLICATIONS, 5000, NOTICE_HOUSEHOLDS)
        copy_insert(notice_hh + confirm_hh, reason="基准测试")
        for head in notice_heads + confirm_heads:
            head.household = head.household  # re-read the id COPY just gave the household
        copy_insert(notice_heads + confirm_heads, reason="基准测试")
        eligibility = {"fupin": True, "dibao": False, "poverty_class": 3, "rules": []}

        def application(household, state):
            return Application(
                round=round,
                household=household,
                wants_fupin=True,
                for_fupin=True,
                origin=Origin.NOMINATED,
                nomination_reason="基准测试",
                persons=1,
                state=state,
                eligibility=eligibility,
                poverty_class=3,
                created_by=official,
            )

        on_notice = [application(h, State.VERIFIED) for h in notice_hh]
        to_confirm = [application(h, State.PUBLICIZED) for h in confirm_hh]
        # bulk_create: COPY's text rows cannot carry the FileField and JSON columns of an application.
        Application.objects.bulk_create(on_notice + to_confirm, batch_size=5000)
        population = sorted(a.pk for a in to_confirm)
        drawn = draw(population, rate=round.county_sample_rate, seed=2014)
        check = SpotCheck.objects.create(
            round=round,
            level=SpotCheckLevel.COUNTY,
            area=Area.objects.get(level=Area.Level.COUNTY),
            rate=round.county_sample_rate,
            seed=2014,
            program="fupin",
            population=population,
            drawn=drawn,
            lists={"fupin": {"population": population, "drawn": drawn}},
            status=SpotCheckStatus.PASSED,
            drawn_by=fupin,
        )
        SpotCheckResult.objects.bulk_create(
            SpotCheckResult(spot_check=check, application_id=pk, truthful=True, checked_by=fupin)
            for pk in drawn
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"已载入 {NOTICE_HOUSEHOLDS} 户待公示、{CONFIRM_APPLICATIONS} 份待认定申请(COPY + ANALYZE),"
        f"用时 {time.monotonic() - started:.1f} 秒"
    )
    today = datetime.date.today()
    t0 = time.perf_counter()
    notice = services.notice_publish(
        round=round,
        level=NoticeLevel.TOWNSHIP,
        area=township,
        actor=official,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        issuing_body="丹凤镇两项制度有效衔接工作领导小组",
        complaint_phone="0874-5212345",
        applications=on_notice,
    )
    return round, notice, official, fupin, time.perf_counter() - t0


def bench_pages(notice, official) -> dict[str, float]:
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")  # an ALLOWED_HOSTS name under DEBUG
    client.force_login(official)
    results = {}
    for name in ("notice", "notice_print"):
        url = reverse(f"notices:{name}", args=[notice.pk])
        client.get(url)  # warm the template cache
        times = []
        for _ in range(PAGE_REQUESTS):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
            assert response.content.count(b"<tr>") > NOTICE_HOUSEHOLDS, response.content.count(b"<tr>")
        results[name] = statistics.median(times)
    return results


def bench_county_sample(round, fupin) -> float:
    from django.db import transaction

    from identification.choices import SpotCheckLevel
    from identification.models import SpotCheck
    from identification.services import spot_check_draw
    from villages.models import Area

    county = Area.objects.get(level=Area.Level.COUNTY)
    times = []
    for _ in range(CONFIRM_RUNS):
        with transaction.atomic():
            # Free the population again: the bench's own complete sample would leave nothing to draw.
            SpotCheck.objects.filter(round=round, level=SpotCheckLevel.COUNTY).update(status="superseded")
            t0 = time.perf_counter()
            check = spot_check_draw(round=round, level=SpotCheckLevel.COUNTY, area=county, actor=fupin)
            times.append(time.perf_counter() - t0)
            assert len(check.population) == CONFIRM_APPLICATIONS, len(check.population)
            transaction.set_rollback(True)
    return statistics.median(times)


def bench_confirm(round, fupin) -> float:
    from django.db import transaction

    from identification.choices import State
    from identification.models import Application
    from identification.services import county_confirm_bulk

    ids = list(Application.objects.filter(round=round, state=State.PUBLICIZED).values_list("pk", flat=True))
    assert len(ids) == CONFIRM_APPLICATIONS
    times = []
    for _ in range(CONFIRM_RUNS):
        with transaction.atomic():
            t0 = time.perf_counter()
            outcome = county_confirm_bulk(
                round=round, actor=fupin, applications=ids, rejections={ids[0]: "基准测试:逐户否决"}
            )
            times.append(time.perf_counter() - t0)
            assert len(outcome.confirmed) == CONFIRM_APPLICATIONS - 1
            transaction.set_rollback(True)
    return statistics.median(times)


def main() -> None:
    _setup_django()
    from django.core.management import call_command

    from villages.models import Area

    if not Area.objects.exists():
        call_command("seed_demo", "--households", "300")
    round, notice, official, fupin, published = load()
    pages = bench_pages(notice, official)
    sample = bench_county_sample(round, fupin)
    confirm = bench_confirm(round, fupin)
    if published is not None:
        print(f"发布乡镇公示({NOTICE_HOUSEHOLDS} 户,经 notice_publish):{published:.2f} s")
    for name, label in (("notice", "乡镇公示页面"), ("notice_print", "乡镇公示打印页")):
        verdict = "达标" if pages[name] <= NOTICE_TARGET_S else "未达标"
        print(
            f"{label}({NOTICE_HOUSEHOLDS} 户):中位数 {pages[name] * 1000:.0f} ms(目标 ≤ {NOTICE_TARGET_S:.0f} s,{verdict})"
        )
    print(f"县扶贫办县级抽查(总体 {CONFIRM_APPLICATIONS} 份,5%):中位数 {sample * 1000:.0f} ms")
    verdict = "达标" if confirm <= CONFIRM_TARGET_S else "未达标"
    print(
        f"县级批量认定({CONFIRM_APPLICATIONS} 份):中位数 {confirm:.1f} s(目标 ≤ {CONFIRM_TARGET_S:.0f} s,{verdict})"
    )


if __name__ == "__main__":
    main()
