"""``python -m bench kept [--database FILE] [--rounds 40]`` — kept pages while another
district writes (issue 19, point 2; ``core.datastamp``'s stamp per district).

On a copy of a demo database (a new one is loaded without ``--database``), in this process
with the test client and kept pages on (``PAGE_CACHE``, local-memory cache): each round a
person of the first district makes one write in their own request (their district's row,
named for their district as the middleware names it), then the readers each open their
page: the second district's bureau, leader and department (home, project list, worklist)
and the city (home). Two ways, in turns in the same run:

- **one stamp**: every write named for no district (the stamp of before: any write anywhere
  gives every page a new stamp);
- **per district**: as the code is.

For each reader: the share of views served kept (≤ 3 statements), CPU ms per view (median
of the rounds), and per district ÷ one stamp."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READERS = [
    ("bureau", 2, "home"),
    ("bureau", 2, "projects:list"),
    ("leader", 2, "home"),
    ("department", 2, "approvals:worklist"),
    ("city", None, "home"),
]


def _measure(rounds: int, one_stamp: bool) -> dict:
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from zhaoshang.core import datastamp, roles
    from zhaoshang.org.models import User
    from zhaoshang.projects.models import Project

    def person(role, district):
        people = User.objects.filter(is_active=True, groups__name=role).order_by("pk")
        people = people.filter(district__isnull=True) if district is None else people
        if district is not None:
            people = people.filter(district_id=district)
        return people.first()

    writer = person("bureau", 1)
    project = Project.objects.filter(district_id=1).order_by("pk").first()
    clients = []
    for role, district, page in READERS:
        user = person(role, district)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        client.get(reverse("projects:list"))  # (the CSRF cookie)
        clients.append((f"{role}{district or ''} {page}", client, reverse(page)))
    confined = datastamp.confined_district
    if one_stamp:
        datastamp.confined_district = lambda user: None
    found = {name: ([], []) for name, _c, _u in clients}
    try:
        for n in range(rounds):
            request = RequestFactory().post("/")
            request.user = writer
            roles.roles_of(writer)
            with datastamp.attributed(request):
                Project.objects.filter(pk=project.pk).update(energy_commitment=f"第{n}轮")
            for name, client, url in clients:
                started = time.process_time()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                cpu = time.process_time() - started
                assert response.status_code == 200, (name, response.status_code)
                if n:  # (the first round builds every page)
                    found[name][0].append(cpu * 1000)
                    found[name][1].append(len(queries) <= 3)
    finally:
        datastamp.confined_district = confined
    return {
        name: (statistics.median(cpu), sum(kept) / len(kept)) for name, (cpu, kept) in found.items()
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench kept", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", type=Path, help="a demo database (SQLite file), copied")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--turns", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.database:
            database = Path(tmp) / "demo.sqlite3"
            shutil.copyfile(args.database, database)
        else:
            from bench.pages import demo_database

            database = demo_database(Path(tmp))
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        os.environ["PAGE_CACHE"] = "1"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings

        settings.PAGE_CACHE = True
        settings.ALLOWED_HOSTS = ["*"]
        results = {"one stamp": [], "per district": []}
        for _turn in range(args.turns):
            for way in results:
                results[way].append(_measure(args.rounds, way == "one stamp"))
    names = list(results["one stamp"][0])
    print(f"{args.rounds} rounds × {args.turns} turns; load average {os.getloadavg()[0]:.1f}")
    print(
        "| reader | one stamp: kept, CPU ms | per district: kept, CPU ms | per district ÷ one stamp |"
    )
    print("|---|---|---|---|")
    for name in names:
        one = [turn[name] for turn in results["one stamp"]]
        per = [turn[name] for turn in results["per district"]]
        one_ms = min(cpu for cpu, _k in one)
        per_ms = min(cpu for cpu, _k in per)
        print(
            f"| {name} | {min(k for _c, k in one):.0%}, {one_ms:.1f} | "
            f"{min(k for _c, k in per):.0%}, {per_ms:.1f} | {per_ms / one_ms:.2f} |"
        )
    return 0
