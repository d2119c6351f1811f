"""The deadline rush: village, township and county users clicking through their daily pages.

Run by bench/rush/run.sh (recipes in bench/README.md, "The deadline rush"). Each simulated user takes
one session of bench/rush/make_sessions.py (RUSH_SESSIONS, a JSON file) and walks the pages of their
role, through the scoped views as a browser would: the page, then the htmx POST it triggers (the
household list's counts). The mix follows who is at work in a county: 115 villages, 8 townships, the
county bureaus — about 70 % village cadres, 20 % township officials, 10 % county users.

RUSH_THINK: mean seconds between two clicks of one user (exponential, as independent people click);
0 for the throughput runs, where every user is one request in flight.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, task

SESSIONS = json.loads(
    Path(os.environ.get("RUSH_SESSIONS", "/tmp/rush-sessions.json")).read_text(encoding="utf-8")
)
BY_ROLE = {role: [s for s in SESSIONS if s["role"] == role] for role in {s["role"] for s in SESSIONS}}
THINK = float(os.environ.get("RUSH_THINK", "10"))
# The TLS proxy in front of gunicorn says the request came over HTTPS (SECURE_PROXY_SSL_HEADER).
PROXY = {"X-Forwarded-Proto": "https"}
HOUSEHOLD_LINK = re.compile(r'href="/households/(\d+)/"')


def think() -> float:
    return random.expovariate(1 / THINK) if THINK > 0 else 0


class County(HttpUser):
    abstract = True
    role = ""

    def wait_time(self) -> float:
        return think()

    def on_start(self) -> None:
        session = random.choice(BY_ROLE[self.role])
        self.area = session["area"]
        self.client.headers.update(PROXY)
        self.client.cookies.set(session["cookie"], session["key"])
        page = self.page("/", name="首页 /")
        # A browser's first visit also fetches the static files the page links (cached after that); the
        # throughput runs (no think time) measure the pages alone.
        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text if page is not None else "")
        for asset in linked if THINK > 0 else []:
            self.client.get(asset, name="static")
        token = self.client.cookies.get("csrftoken")
        self.client.cookies.set("csrftoken", token)  # the Secure cookie, sent back as the proxy would
        self.client.headers.update(
            {"X-CSRFToken": token or "", "Referer": f"https://{self.host_name}/households/"}
        )

    @property
    def host_name(self) -> str:
        return self.host.split("://", 1)[1].rstrip("/")

    def page(self, url: str, *, name: str):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")
                return None
            return response

    def household_list(self) -> None:
        page = self.page("/households/", name="户列表 /households/")
        with self.client.post(
            "/households/facets/", name="户列表计数 /households/facets/", catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} for facets")
        if page is not None:
            ids = HOUSEHOLD_LINK.findall(page.text)
            if ids:
                self.page(f"/households/{random.choice(ids)}/", name="户详情 /households/<id>/")

    def dashboard(self) -> None:
        self.page("/reports/dashboard/", name="统计 /reports/dashboard/")


class VillageCadre(County):
    weight = 7
    role = "village_cadre"

    @task(4)
    def households(self) -> None:
        self.household_list()

    @task(2)
    def applications(self) -> None:
        self.page("/identification/applications/", name="申请列表 /identification/applications/")

    @task(2)
    def stats(self) -> None:
        self.dashboard()

    @task(1)
    def home(self) -> None:
        self.page("/", name="首页 /")


class TownshipOfficial(County):
    weight = 2
    role = "township_official"

    @task(3)
    def stats(self) -> None:
        self.dashboard()

    @task(2)
    def village_stats(self) -> None:
        village = random.choice(
            [s["area"] for s in BY_ROLE["village_cadre"] if s["area"].startswith(self.area[:9])]
        )
        self.page(f"/reports/dashboard/{village}/", name="村统计 /reports/dashboard/<村>/")

    @task(2)
    def queue(self) -> None:
        self.page("/identification/township/", name="乡镇审核 /identification/township/")

    @task(2)
    def households(self) -> None:
        self.household_list()


class CountyUser(County):
    weight = 1
    role = "county_fupin"

    def on_start(self) -> None:
        self.role = random.choice(["county_fupin", "county_minzheng"])
        super().on_start()

    @task(3)
    def stats(self) -> None:
        self.dashboard()

    @task(2)
    def township_stats(self) -> None:
        township = random.choice(BY_ROLE["township_official"])["area"]
        self.page(f"/reports/dashboard/{township}/", name="乡镇统计 /reports/dashboard/<乡镇>/")

    @task(2)
    def progress(self) -> None:
        self.page("/identification/county/", name="县级进度 /identification/county/")

    @task(2)
    def households(self) -> None:
        self.household_list()
