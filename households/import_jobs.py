"""Import jobs whose worker died: a SIGKILLed or out-of-memory worker stops sending heartbeats
(households.importer writes one with every progress step); this marks such jobs failed, as
reports.exports.fail_stale does for exports. Nothing was written (the import is one transaction),
and confirming again re-runs the import, which is idempotent.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from households.models import ImportJob

# Longer than the longest silent stretch of a live import (rebuilding indexes after a county-sized load).
STALE_AFTER = datetime.timedelta(minutes=10)


def fail_stale(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    silent = Q(heartbeat_at__lt=now - STALE_AFTER) | Q(
        heartbeat_at__isnull=True, started_at__lt=now - STALE_AFTER
    )
    return ImportJob.objects.filter(silent, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.FAILED,
        message="导入中断(后台进程已退出),未写入任何数据。预检请重新上传;导入请点击“确认导入”重试。",
        finished_at=now,
    )
