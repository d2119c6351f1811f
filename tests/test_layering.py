"""Imports run one way: portal → reports → domain apps → notices → villages → accounts → jobs.

Every import statement of each app's modules (inside functions too) is read with `ast`; a module
may not import an app above its own. The known exceptions are listed with their reason, so a new
one fails here instead of slipping in.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = {"households", "identification", "assistance", "exits", "monitoring"}
ABOVE = {
    "jobs": {"accounts", "villages", "notices", "reports", "portal"} | DOMAIN,
    "accounts": {"villages", "notices", "reports", "portal"} | DOMAIN,
    "villages": {"notices", "reports", "portal"} | DOMAIN,
    # The shared 公示 component calls the apps that publish back through its registry, never by import.
    "notices": {"reports", "portal"} | DOMAIN,
    **{app: {"reports", "portal"} for app in DOMAIN},
    "reports": {"portal"},
}
# Existing upward imports, to be moved down by their owners; not to be added to.
KNOWN = {
    ("villages/names.py", "households"),  # Ethnicity: the 民族 names that 民族乡 names contain
    ("villages/indicators.py", "households"),  # registry_counts: counts of the registry (belongs in reports)
}


def imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            apps |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            apps.add(node.module.split(".")[0])
    return apps


def test_no_app_imports_an_app_above_it():
    found = set()
    checked = 0
    for app, above in ABOVE.items():
        for path in (ROOT / app).rglob("*.py") if (ROOT / app).exists() else []:
            if "migrations" in path.parts:
                continue
            checked += 1
            for imported in imported_apps(path) & above:
                found.add((str(path.relative_to(ROOT)), imported))
    assert checked > 50
    assert found - KNOWN == set(), (
        "an app imports one above it (portal → reports → domain → notices → villages → accounts)"
    )
