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
SHANLONG = "530323101201"  # 山龙村, the demo village cadre's


@dataclass
class DemoMonitoring:
    run: MonitoringRun
    waiting: int
    returned: Warning | None


def _events(rng: random.Random, township: User, today: datetime.date) -> None:
    """A hailstorm and a few illnesses among 丹凤镇's lifted households (山龙村's first), recorded by the township."""
    lifted = sorted(
        Household.objects.filter(
            group__code__startswith=DANFENG, cases__program="fupin", cases__state="lifted"
        )
        .select_related("group")
        .distinct()[:60],
        key=lambda h: (not h.group.code.startswith(SHANLONG), h.number),
    )
    for household in lifted[:3]:
        services.event_record(
            household=household, actor=township, kind="因灾", occurred_on=today - datetime.timedelta(days=rng.randint(3, 20)),
            amount=Decimal(rng.randrange(3000, 20000, 500)), description="冰雹毁坏烤烟和房屋瓦面",
        )  # fmt: skip
    for household in lifted[3:5]:
        services.event_record(
            household=household, actor=township, kind="因病", occurred_on=today - datetime.timedelta(days=rng.randint(10, 60)),
            amount=Decimal(rng.randrange(20000, 60000, 1000)), description="户主住院手术,自付医疗费用",
        )  # fmt: skip


def _return_to_poverty(queue, township: User, visit: dict) -> Warning | None:
    """A lifted household's warning referred as 返贫 and filed by its village's cadre (山龙村's cungan first)."""
    round = current_round()
    if round is None or round.closed:
        return None
    candidates = sorted(
        queue.filter(household__cases__state="lifted")
        .exclude(household__applications__round=round)
        .distinct()[:50],
        key=lambda w: (not w.area_code.startswith(SHANLONG), w.pk),
    )
    for warning in candidates:
        cadre = (
            User.objects.filter(role="village_cadre", area__code=warning.area_code[:12])
            .order_by("id")
            .first()
        )
        if cadre is None:
            continue
        services.warning_verify(
            warning=warning, actor=township, findings="家庭主要劳动力患病,收入骤降属实", **visit
        )
        services.warning_refer(
            warning=warning, actor=township, reason="人均纯收入已低于扶贫标准,转入返贫识别"
        )
        return services.warning_apply(
            warning=warning, actor=cadre, round=round,
            application={
                "wants_fupin": True, "wants_dibao": False, "origin": "nominated",
                "declared": dict.fromkeys(SURVEY_QUESTIONS, False),
                "nomination_reason": f"防返贫监测预警:{warning.reason}",
            },
        )  # fmt: skip
    return None


def create_demo_monitoring(rng: random.Random, *, today: datetime.date | None = None) -> DemoMonitoring:
    today = today or clock.today()
    township = User.objects.get(username="xiangzhen")
    _events(rng, township, today)
    run = services.run_execute(MonitoringRun.objects.create(as_of=today, kind="nightly").pk)
    queue = Warning.objects.filter(area_code__startswith=DANFENG, status=WarningStatus.PENDING).order_by("id")
    visit = {"visited_on": today, "visitors": "丹凤镇扶贫工作站 李明、王芳"}
    returned = _return_to_poverty(queue, township, visit)
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
