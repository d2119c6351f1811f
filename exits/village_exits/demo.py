"""贫困村识别 and 贫困村退出 in the demo county (seed_demo, after the households, before 帮扶):

- the county's 2012 ranking run, scored by the task's own body (the demo needs no queue), and the 贫困村
  marked from it: as many as the village profiles' stand-in flags had, taken from the top of the ranking
  (the flags are cleared first: the county's ranking decides);
- one 贫困村 of 丹凤镇 (not 山龙村, the demo cadre's) that exited in 2014: the one with the lowest 贫困发生率,
  whose remaining 扶贫 households are recorded 已脱贫 (2014), then proposed by the township, published
  for seven days, and approved by the county — through the services, so the trail is there to read.

It lives in exits (the app above both) and goes through each app's services.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from accounts import clock
from accounts.models import User
from exits.village_exits import services as exits
from households.models import Case
from identification.poor_villages import services as ranking
from identification.poor_villages.models import RankingRun
from notices import services as notices
from villages.models import Area, AreaProfile

DANFENG = "530323101"
SHANLONG = "530323101201"
EXIT_YEAR = 2014


@dataclass
class DemoPoorVillages:
    run: RankingRun
    marked: int
    exited: Area | None


def create_demo_poor_villages() -> DemoPoorVillages:
    fupin = User.objects.get(username="fupinban")
    township = User.objects.get(username="xiangzhen")
    wanted = AreaProfile.objects.filter(is_poor_village=True).count()
    AreaProfile.objects.filter(is_poor_village=True).update(is_poor_village=False)
    with clock.moved_to(datetime.date(2012, 10, 8)):
        run = RankingRun.objects.create(
            county=fupin.area,
            year=2012,
            income_year=2011,
            weights=ranking.weights_snapshot(fupin.area),
            note="演示:2012年贫困村识别",
            created_by=fupin,
        )
        run = ranking.run(run_id=run.pk)
        top = list(
            run.rows.filter(level="village")
            .exclude(area__code__regex=r"^\d{9}0")  # 社区 (the township seats) are not 贫困村
            .order_by("rank", "area__code")
            .values_list("area_id", flat=True)[:wanted]
        )
        marked = ranking.villages_mark(actor=fupin, run=run, village_ids=top)
    return DemoPoorVillages(run=run, marked=marked, exited=_demo_exit(fupin, township))


def _demo_exit(fupin: User, township: User) -> Area | None:
    candidates = list(
        Area.objects.filter(
            level=Area.Level.VILLAGE, code__startswith=DANFENG, profile__is_poor_village=True
        ).exclude(code=SHANLONG)
    )
    # Not the village of the identification demo's 返贫 household: the demo keeps that story.
    returned = {
        code[:12]
        for code in Case.objects.filter(state="returned").values_list("household__group__code", flat=True)
    }
    candidates = [v for v in candidates if v.code not in returned]
    if not candidates:
        return None
    figures = exits.evaluate(township.area, year=EXIT_YEAR)
    village = min(candidates, key=lambda v: (figures[v.pk][0]["poverty_rate"] or 0, v.code))
    # 脱贫 by 2014: the village's 扶贫 households left the roll (a starting state, not a user's move).
    Case.objects.filter(
        household__group__code__startswith=village.code, program="fupin", state__in=["active", "returned"]
    ).update(state="lifted", left_year=EXIT_YEAR)
    start = datetime.date(EXIT_YEAR, 11, 3)
    with clock.moved_to(start):
        exit = exits.exit_propose(
            actor=township, village=village, year=EXIT_YEAR, note="全村扶贫对象已稳定脱贫"
        )
        notice = exits.exits_publish(
            actor=township,
            township=township.area,
            exits=[exit],
            starts_on=start,
            ends_on=start + datetime.timedelta(days=7),
            issuing_body="丹凤镇人民政府",
            complaint_phone="0874-5551234",
        )
    with clock.moved_to(start + datetime.timedelta(days=8)):
        notices.notice_close(notice=notice, actor=township)
        exits.exit_decide(
            actor=fupin, exit=exit, approve=True, note="经县级验收,贫困发生率和各项条件达到退出标准"
        )
    return village
