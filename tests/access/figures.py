"""Figures of the access, concurrency and hostile-input tests, printed at the end of the run whatever
the output capture (-s or not), and appended to .artifacts/security-figures.txt for the README's
安全与可靠性 section. Each test directory's conftest imports the fixture and the hook from here."""

from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"
_lines: list[str] = []
_printed = False


@pytest.fixture
def figures():
    def report(line: str) -> None:
        # The file holds this run's figures only: it is started afresh by the run's first figure.
        mode = "a" if _lines else "w"
        _lines.append(line)
        ARTIFACTS.mkdir(exist_ok=True)
        with (ARTIFACTS / "security-figures.txt").open(mode, encoding="utf-8") as out:
            out.write(line + "\n")

    return report


def pytest_terminal_summary(terminalreporter):
    # Several conftests import this hook; the figures are printed once.
    global _printed
    if _lines and not _printed:
        _printed = True
        terminalreporter.section("安全与可靠性")
        for line in _lines:
            terminalreporter.write_line(line)
