"""The demo's 防返贫监测 (called by portal's seed_demo after 帮扶): 突发 events in 丹凤镇, one monitoring run over
the county, and in 丹凤镇's queue warnings waiting, one verified, one dismissed, one made a 监测对象 on its
way to 风险消除, and one 返贫 referred and filed by 山龙村's cadre into the demo round — all through the services.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from accounts import clock
from accounts.models import User
from households.models import Household
from identification.rules import SURVEY_QUESTIONS
from identification.selectors import current_round
from monitoring import services
from monitoring.choices import WarningStatus
from monitoring.models import MonitoringRun, Warning

DANFENG = "530323101"  # 丹凤镇 (the demo accounts' township)


@dataclass
class DemoMonitoring:
    run: MonitoringRun
    waiting: int
    returned: Warning | None


def _events(rng: random.Random, cadre: User, today: datetime.date) -> None:
    """A hailstorm in two groups of 山龙村 and a few illnesses: recorded by the village cadre."""
    prefix = cadre.area.scope_prefix
    lifted = list(
        Household.objects.filter(
            group__code__startswith=prefix, cases__program="fupin", cases__state="lifted"
        )
        .order_by("number")
        .distinct()[:6]
    )
    for household in lifted[:3]:
        services.event_record(
            household=household, actor=cadre, kind="因灾", occurred_on=today - datetime.timedelta(days=rng.randint(3, 20)),
            amount=Decimal(rng.randrange(3000, 20000, 500)), description="冰雹毁坏烤烟和房屋瓦面",
        )  # fmt: skip
    for household in lifted[3:5]:
        services.event_record(
            household=household, actor=cadre, kind="因病", occurred_on=today - datetime.timedelta(days=rng.randint(10, 60)),
            amount=Decimal(rng.randrange(20000, 60000, 1000)), description="户主住院手术,自付医疗费用",
        )  # fmt: skip


def create_demo_monitoring(rng: random.Random, *, today: datetime.date | None = None) -> DemoMonitoring:
    today = today or clock.today()
    township = User.objects.get(username="xiangzhen")
    cadre = User.objects.get(username="cungan")
    _events(rng, cadre, today)
    run = services.run_execute(MonitoringRun.objects.create(as_of=today, kind="nightly").pk)
    queue = Warning.objects.filter(area_code__startswith=DANFENG, status=WarningStatus.PENDING).order_by("id")
    visit = {"visited_on": today, "visitors": "丹凤镇扶贫工作站 李明、王芳"}
    # A 返贫: a lifted household of 山龙村 (the cadre's village), referred and filed into the demo round.
    returned = None
    candidate = (
        queue.filter(area_code__startswith=cadre.area.scope_prefix, household__cases__state="lifted")
        .exclude(household__applications__round=current_round())
        .first()
    )
    if candidate is not None and current_round() is not None and not current_round().closed:
        services.warning_verify(
            warning=candidate, actor=township, findings="家庭主要劳动力患病,收入骤降属实", **visit
        )
        services.warning_refer(
            warning=candidate, actor=township, reason="人均纯收入已低于扶贫标准,转入返贫识别"
        )
        returned = services.warning_apply(
            warning=candidate, actor=cadre, round=current_round(),
            application={
                "wants_fupin": True, "wants_dibao": False, "origin": "nominated",
                "declared": dict.fromkeys(SURVEY_QUESTIONS, False),
                "nomination_reason": f"防返贫监测预警:{candidate.reason}",
            },
        )  # fmt: skip
    walked = list(queue.exclude(household__warnings__status__in=["applied", "referred"])[:3])
    if len(walked) == 3:
        dismissed, monitored, verified = walked
        services.warning_verify(warning=dismissed, actor=township, findings="已外出务工,收入恢复", **visit)
        services.warning_dismiss(warning=dismissed, actor=township, reason="核实收入已恢复,风险不实")
        services.warning_verify(
            warning=monitored, actor=township, findings="因灾损失较大,需跟踪帮扶", **visit
        )
        item = services.warning_monitor(
            warning=monitored, actor=township, reason="纳入监测,落实产业和保险帮扶"
        )
        services.risk_verify(
            monitored=item, actor=township, visited_on=today, visitors="山龙村 张华", findings="已恢复生产"
        )
        services.warning_verify(warning=verified, actor=township, findings="大病属实,待研判", **visit)
    return DemoMonitoring(run=run, waiting=queue.count(), returned=returned)
