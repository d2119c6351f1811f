"""Signed-in sessions for the load benchmark (bench/rush/locustfile.py), written to a JSON file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jd_rush_100k \
        .venv/bin/python bench/rush/make_sessions.py /tmp/rush-sessions.json

For the benchmark only, and only against a benchmark database: it creates one account per village
(村级录入员), per township (乡镇审核员) and two county accounts (县扶贫办, 县民政局), named `bench-…`,
and stores a session for each as the real sign-in would leave it — password checked, second factor
passed (django_otp's device id in the session) — in the database's session table. Nothing in the app
serves or accepts these sessions differently from any other: it is not a door into the app, a script
that needs database access to run. Logging in through the pages 300 times would test the password
hash and the TOTP window (one code per device per 30 s), not the deadline rush.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def main(out: Path) -> None:
    _setup_django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import two_factor
    from accounts.models import Role, User
    from villages.models import Area

    password = make_password(None)  # unusable: these accounts never sign in through the page
    county = Area.objects.get(level=Area.Level.COUNTY)
    wanted = [(f"bench-c-{role}", role, county) for role in (Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG)]
    for level, role, tag in (
        (Area.Level.TOWNSHIP, Role.TOWNSHIP_OFFICIAL, "t"),
        (Area.Level.VILLAGE, Role.VILLAGE_CADRE, "v"),
    ):
        wanted += [
            (f"bench-{tag}-{a.code}", role, a) for a in Area.objects.filter(level=level).order_by("code")
        ]
    sessions = []
    for username, role, area in wanted:
        # The password is set once: a new one would change the session hash and sign out the sessions
        # another run (the other server of a side-by-side pair) made a moment ago.
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"role": role, "area": area, "is_active": True},
            create_defaults={"role": role, "area": area, "is_active": True, "password": password},
        )
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if two_factor.requires_second_factor(user):
            device = TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).first() or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.set_expiry(24 * 60 * 60)
        store.create()
        sessions.append(
            {
                "role": role.value,
                "area": area.code,
                "cookie": settings.SESSION_COOKIE_NAME,
                "key": store.session_key,
            }
        )
    out.write_text(json.dumps(sessions, ensure_ascii=False, indent=1))
    print(f"{len(sessions)} sessions → {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rush-sessions.json"))
