"""A pytest plugin (pyproject: `-p tests.logscan`): every log record the suite produces — requests
refused or failed, tasks, imports — is kept, and at the end of the run scanned for personal numbers.

Personal numbers never belong in a log (issue 13; DESIGN.md, Privacy). A valid 18-character 身份证号
(GB 11643 check digit) or a mobile number anywhere in a record's message or traceback fails the run,
with the offending records written, masked, to .artifacts/log-leaks.txt.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
# Bounded by letters too: a Celery task id's hex group (…-f15912345218) holds 11 digits by chance now and then.
MOBILE = re.compile(r"(?<![\dA-Za-z])1[3-9]\d{9}(?![\dA-Za-z])")
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def is_id_number(text: str) -> bool:
    """The GB 11643 check digit: a 户编号 or an area code of 18 digits almost never passes it by chance,
    but a real person's number always does."""
    total = sum(int(d) * w for d, w in zip(text[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == text[17].upper()


def leaks(text: str) -> list[str]:
    found = [m for m in ID_NUMBER.findall(text) if is_id_number(m)]
    return found + MOBILE.findall(text)


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records = 0
        self.leaked: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted holds no text to leak
            return
        self.records += 1
        for number in leaks(text):
            masked = text.replace(number, number[:3] + "*" * (len(number) - 7) + number[-4:])
            self.leaked.append(masked[:2000])


COLLECTOR = Collector()
# Loggers that do not propagate to the root keep their own handlers; the project's own and Django's
# do propagate, and Celery's worker loggers are added explicitly.
WATCHED = ("", "celery", "celery.task", "celery.worker")


def pytest_sessionstart(session) -> None:
    for name in WATCHED:
        logger = logging.getLogger(name)
        if COLLECTOR not in logger.handlers:
            logger.addHandler(COLLECTOR)
    # Django's configure_logging (at setup) may replace the root handlers: re-attach after it.
    logging.getLogger().addHandler(COLLECTOR)


def pytest_runtest_setup(item) -> None:
    root = logging.getLogger()
    if COLLECTOR not in root.handlers:
        root.addHandler(COLLECTOR)


def pytest_sessionfinish(session, exitstatus) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / "log-leaks.txt"
    if COLLECTOR.leaked:
        report.write_text("\n\n".join(COLLECTOR.leaked), encoding="utf-8")
        session.exitstatus = 1
    elif report.exists():
        report.unlink()


def pytest_terminal_summary(terminalreporter) -> None:
    line = f"日志扫描: {COLLECTOR.records} 条日志记录,发现身份证号/手机号 {len(COLLECTOR.leaked)} 处"
    terminalreporter.section("日志中的个人号码")
    terminalreporter.write_line(line)
    if COLLECTOR.leaked:
        terminalreporter.write_line("失败:日志中出现个人号码(已打码),见 .artifacts/log-leaks.txt", red=True)
        for text in COLLECTOR.leaked[:5]:
            terminalreporter.write_line(text.splitlines()[0][:300])
