"""``python -m bench kpis --database FILE [--before DIR] [--runs 7]`` — the KPI page, its
trends and ``/api/v1/kpis/`` (issue 19: per-district KPI snapshots), each beside a plain
DRF ``ListAPIView`` of 100 rows served by the same stack in the same process.

Each measurement runs in a child process on a copy of the demo database FILE (never
changed): the code of this checkout ("after") and, with ``--before``, the code of DIR (e.g.
``git archive HEAD~1 | tar -x -C DIR``) on its own copy. The KPI pages are read once to
warm (with snapshots: the rows are written), then ``--runs`` times; it prints, per user
and page, the statements and the median and minimum wall time, and the page's requests per
second as a share of the baseline's (median against median).

    python -m bench kpis --database /tmp/kpi.sqlite3 --before /tmp/kpi_before
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = [
    ("bureau", "/kpis/"),
    ("bureau", "/api/v1/kpis/"),
    ("bureau", "/kpis/trends/"),
    ("city", "/kpis/"),
    ("city", "/api/v1/kpis/"),
    ("city", "/kpis/trends/"),
]

_CHILD = r"""
import json, os, statistics, sys, time, types
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches, include, path
from rest_framework import generics, serializers
from zhaoshang.org.models import User
from zhaoshang.projects.models import Project

class Rows(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "code", "name", "stage", "signed_on"]

class Plain(generics.ListAPIView):
    queryset = Project.objects.order_by("pk")[:100]
    serializer_class = Rows
    pagination_class = None
    permission_classes = []
    authentication_classes = []

urls = types.ModuleType("bench_kpis_urls")
urls.urlpatterns = [path("baseline/", Plain.as_view()), path("", include(settings.ROOT_URLCONF))]
sys.modules["bench_kpis_urls"] = urls
settings.ROOT_URLCONF = "bench_kpis_urls"
clear_url_caches()

pages, runs = json.loads(sys.argv[1]), int(sys.argv[2])

def measure(client, url):
    response = client.get(url)  # warm (and, with snapshots, write the rows)
    assert response.status_code == 200, (url, response.status_code)
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    return [queries, statistics.median(times), min(times)]

clients = {}
out = {"baseline": measure(Client(HTTP_HOST="127.0.0.1"), "/baseline/")}
for username, url in pages:
    client = clients.get(username)
    if client is None:
        client = clients[username] = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
    out[f"{username} {url}"] = measure(client, url)
print(json.dumps(out))
"""


def _run(code_dir: Path, database: Path, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "db.sqlite3"
        shutil.copy(database, copy)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{copy}", "DJANGO_DEBUG": "0"}
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps(PAGES), str(runs)],
            cwd=code_dir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            sys.stderr.write(result.stderr[-4000:])
            raise SystemExit(result.returncode)
        return json.loads(result.stdout.strip().splitlines()[-1])


def _table(label: str, figures: dict) -> None:
    base = figures["baseline"][1]
    print(f"\n{label}")
    print(f"{'page':34} {'queries':>7} {'median ms':>10} {'min ms':>8} {'× baseline':>10}")
    for name, (queries, median, least) in figures.items():
        share = base / median if median else 0
        print(f"{name:34} {queries:7d} {median * 1000:10.1f} {least * 1000:8.1f} {share:10.2f}")


def main(argv) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench kpis")
    parser.add_argument("--database", required=True, type=Path, help="a demo database")
    parser.add_argument("--before", type=Path, help="a checkout of the code before")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    results = {}
    if args.before:
        results["before"] = _run(args.before, args.database, args.runs)
        _table(f"before ({args.before})", results["before"])
    results["after"] = _run(ROOT, args.database, args.runs)
    _table(f"after ({ROOT})", results["after"])
    if args.before:
        print("\nspeed-up (median before ÷ median after)")
        for name, (_q, median, _m) in results["after"].items():
            print(f"{name:34} {results['before'][name][1] / median:6.1f}×")
    return 0
