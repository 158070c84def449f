"""``python -m bench http [--database URL] [--requests N] [--concurrency 4] [--runs 3]`` — the
pages and API lists served by gunicorn (2 sync workers, DEBUG off, real log-in sessions),
measured side by side in one run with a minimal Django project generated into a temporary
directory (same Python and packages, DEBUG off): a view answering "ok" and a DRF
``ListAPIView`` over 100 rows of a small model (issue 19, point 2).

The load is ``ab -c C -n N -k -l`` when ApacheBench is installed (Debian: apache2-utils),
else a small keep-alive client in Python threads. Each run measures every target once, in
turn; the table gives the median over the runs of the requests per second, of p50 and p95
(ms), and of the ratio to the minimal DRF list and to "ok" measured in the same run (with the
smallest ratio of the runs), and the workers' CPU time per request (ms, user + system, read
from /proc: steadier than the wall-clock figures on a shared machine). Afterwards the
resident memory (RSS) of each gunicorn worker is read, after at least 1,000 requests each
(issue 19, point 5: under 120 MiB).

The pages are kept as in production (``core.pagecache``: a repeated request of the same
person is served without building the page until the data changes), so the default table is
what a person reloading a page costs; ``--built`` (``PAGE_CACHE=0``) builds every page for
every request: what the first view after any change costs.

The application is served with the production configuration, ``gunicorn.conf.py`` (preloaded
and frozen before the fork, a collection after each response); ``--gunicorn-defaults`` serves
it with gunicorn's defaults instead, as the minimal project is.

The demo database is either given (``--database sqlite:////tmp/http.sqlite3`` already migrated
and loaded with ``load_demo``, or ``postgres://…/bench_http``) or built into a temporary
SQLite file (``migrate`` + ``load_demo``, several minutes). The minimal project uses SQLite
beside it, or on PostgreSQL a database named after the given one with ``_mini`` appended
(created when missing).

    python -m bench http --database sqlite:////tmp/http.sqlite3 --requests 300
    python -m bench http --database postgres://postgres@127.0.0.1:5432/bench_http --only api
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench.pages import demo_database

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Demo@2026"
WORKERS = 2

# (label, demo user, URL name, kind of argument): the pages every role opens first, the lists
# and boards, the API lists. ``project`` is a project of the user's district.
TARGETS = [
    ("home bureau", "bureau", "home", None),
    ("home department", "department", "home", None),
    ("home leader", "leader", "home", None),
    ("home park", "park", "home", None),
    ("home service_center", "service_center", "home", None),
    ("home supervisor", "supervisor", "home", None),
    ("home city", "city", "home", None),
    ("home enterprise", "enterprise", "home", None),
    ("project list", "bureau", "projects:list", None),
    ("project detail", "bureau", "projects:detail", "project"),
    ("department worklist", "department", "approvals:worklist", None),
    ("lights board", "bureau", "monitoring:board", None),
    ("supervision board", "supervisor", "meetings:board", None),
    ("KPI page", "bureau", "kpis:index", None),
    ("api projects", "bureau", "api:project-list", None),
    ("api approval-cases", "bureau", "api:approval-case-list", None),
    ("api enterprises", "bureau", "api:enterprise-list", None),
    ("api agreements", "bureau", "api:agreement-list", None),
    ("api obligations", "bureau", "api:obligation-list", None),
    ("api kpis", "bureau", "api:kpi-list", None),
]
OK, DRF = "minimal ok", "minimal DRF list"

# The URLs of the targets, the demo's enterprise account and a project of the bureau's
# district, read from the demo database.
_SETUP = r"""
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from django.urls import reverse
from zhaoshang.core import roles
from zhaoshang.demo.city import ACCOUNT_USERNAMES
from zhaoshang.org.models import User
from zhaoshang.projects.models import Project

targets = json.loads(sys.argv[1])
enterprise = next(
    u.username for u in User.objects.filter(username__in=ACCOUNT_USERNAMES).order_by("username")
    if roles.is_enterprise(u)
)
bureau = User.objects.get(username="bureau")
project = Project.objects.filter(district_id=bureau.district_id).order_by("pk").first()
urls = {}
for label, user, name, arg in targets:
    urls[label] = reverse(name, args=[project.pk] if arg == "project" else [])
print(json.dumps({"urls": urls, "enterprise": enterprise}))
"""

_MINI_SETTINGS = """
import dj_database_url
import os
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-minimal-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "rest_framework", "mini",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "minisite.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "minisite.wsgi.application"
DATABASES = {"default": dj_database_url.parse(os.environ["MINI_DATABASE_URL"], conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
"""

_MINI_FILES = {
    "manage.py": (
        "import os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'minisite.settings')\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    ),
    "minisite/__init__.py": "",
    "minisite/settings.py": _MINI_SETTINGS,
    "minisite/wsgi.py": (
        "import os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'minisite.settings')\n"
        "from django.core.wsgi import get_wsgi_application\n"
        "application = get_wsgi_application()\n"
    ),
    "minisite/urls.py": (
        "from django.http import HttpResponse\n"
        "from django.urls import path\n"
        "from mini.views import ItemList\n"
        "urlpatterns = [\n"
        "    path('ok', lambda request: HttpResponse('ok')),\n"
        "    path('items/', ItemList.as_view()),\n"
        "]\n"
    ),
    "mini/__init__.py": "",
    "mini/models.py": (
        "from django.db import models\n"
        "class Item(models.Model):\n"
        "    name = models.CharField(max_length=100)\n"
        "    code = models.CharField(max_length=20)\n"
        "    amount = models.DecimalField(max_digits=12, decimal_places=2)\n"
        "    created = models.DateTimeField()\n"
    ),
    "mini/views.py": (
        "from rest_framework import generics, serializers\n"
        "from mini.models import Item\n"
        "class ItemSerializer(serializers.ModelSerializer):\n"
        "    class Meta:\n"
        "        model = Item\n"
        "        fields = ['id', 'name', 'code', 'amount', 'created']\n"
        "class ItemList(generics.ListAPIView):\n"
        "    queryset = Item.objects.order_by('id')\n"
        "    serializer_class = ItemSerializer\n"
        "    permission_classes = []\n"
    ),
    "mini/migrations/__init__.py": "",
    "mini/migrations/0001_initial.py": (
        "from django.db import migrations, models\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    dependencies = []\n"
        "    operations = [migrations.CreateModel(name='Item', fields=[\n"
        "        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),\n"
        "        ('name', models.CharField(max_length=100)),\n"
        "        ('code', models.CharField(max_length=20)),\n"
        "        ('amount', models.DecimalField(decimal_places=2, max_digits=12)),\n"
        "        ('created', models.DateTimeField()),\n"
        "    ])]\n"
    ),
}

_MINI_SEED = (
    "import datetime\n"
    "from decimal import Decimal\n"
    "from mini.models import Item\n"
    "if not Item.objects.exists():\n"
    "    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)\n"
    "    Item.objects.bulk_create(Item(name=f'项目 {i}', code=f'P{i:05d}',"
    " amount=Decimal(i) * 1000, created=now + datetime.timedelta(hours=i)) for i in range(100))\n"
)


# ---------------------------------------------------------------- databases and servers


def _python_env(extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update({"DEBUG": "0", "PYTHONDONTWRITEBYTECODE": "1", **extra})
    return env


def _demo_database(workdir: Path) -> str:
    print("building a demo database (migrate + load_demo) …", flush=True)
    return f"sqlite:///{demo_database(workdir, env=_python_env({}))}"


def _mini_database(database: str, workdir: Path) -> str:
    if not database.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'mini.sqlite3'}"
    import psycopg

    parts = urllib.parse.urlsplit(database)
    name = parts.path.lstrip("/") + "_mini"
    with psycopg.connect(database, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def _make_mini(workdir: Path, database: str) -> Path:
    site = workdir / "minimal"
    for relative, text in _MINI_FILES.items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    env = _python_env({"MINI_DATABASE_URL": database})
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=site, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _MINI_SEED], cwd=site, env=env, check=True
    )
    return site


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn of WORKERS sync workers on a free local port."""

    def __init__(
        self, name: str, chdir: Path, app: str, env: dict, log: Path, config: Path | None = None
    ):
        """``config``: gunicorn's configuration file; None: gunicorn's defaults (an empty
        file, as gunicorn would otherwise read a ``gunicorn.conf.py`` in ``chdir``)."""
        self.name, self.port = name, _free_port()
        if config is None:
            config = log.with_suffix(".defaults.py")
            config.write_text("")
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", app, "--config", str(config),
                "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}",
                "--chdir", str(chdir), "--log-level", "warning", "--timeout", "120",
            ],
            cwd=chdir,
            env=_python_env(env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"{name}: gunicorn stopped; see {log}")
            if len(self.workers()) == WORKERS:
                try:
                    status, _h, _b = request(self.port, "GET", "/healthz-bench-probe")
                    if status:
                        return
                except OSError:
                    pass
            time.sleep(0.5)
        sys.exit(f"{name}: gunicorn did not answer; see {log}")

    def workers(self) -> list[int]:
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)

    def cpu_seconds(self) -> float:
        """The CPU time (user + system) the workers have used so far."""
        ticks = 0
        for pid in self.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def memory_mib(self) -> list[tuple[float, float, float]]:
        """(RSS, PSS, USS) of each worker in MiB: resident, its share of the pages it shares
        with the master and the other worker, and its own pages only."""
        out = []
        for pid in self.workers():
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()

            def kib(name, text=text):
                return sum(int(v) for v in re.findall(rf"^{name}:\s+(\d+)", text, re.M))

            private = kib("Private_Clean") + kib("Private_Dirty")
            out.append((kib("Rss") / 1024, kib("Pss") / 1024, private / 1024))
        return out

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


# ---------------------------------------------------------------- HTTP


def request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def _cookies(headers) -> dict:
    out = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _sep, rest = value.partition("=")
            out[key.strip()] = rest.split(";", 1)[0]
    return out


def login(port: int, username: str) -> str:
    """Log USERNAME in through the log-in form: the session cookie."""
    status, headers, body = request(port, "GET", "/accounts/login/")
    csrf = _cookies(headers)["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    status, headers, _body = request(
        port,
        "POST",
        "/accounts/login/",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    cookies = _cookies(headers)
    session = cookies.get("sessionid")
    if status != 302 or not session:
        sys.exit(f"log-in of {username} failed ({status})")
    # What a browser sends next: the session, and the CSRF secret the log-in renewed (a page
    # with a form is kept only for a browser holding it: core.pagecache).
    return f"csrftoken={cookies.get('csrftoken', csrf)}; sessionid={session}"


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _python_load(port: int, path: str, cookie: str, n: int, c: int) -> dict:
    """Keep-alive GETs from C threads: rps, p50, p95 (ms) and the non-2xx count."""
    times: list[float] = []
    bad = [0]
    left = [n]
    lock = threading.Lock()

    def worker():
        conn = None
        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            start = time.perf_counter()
            for _attempt in range(2):
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                    response = conn.getresponse()
                    response.read()
                    if response.will_close:
                        conn.close()
                        conn = None
                    break
                except (http.client.HTTPException, OSError):
                    conn = None
            with lock:
                times.append(time.perf_counter() - start)
                bad[0] += not 200 <= response.status < 300

    threads = [threading.Thread(target=worker) for _ in range(c)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    return {
        "rps": n / elapsed,
        "p50": _pct(times, 0.5) * 1000,
        "p95": _pct(times, 0.95) * 1000,
        "bad": bad[0],
    }


def _ab_load(port: int, path: str, cookie: str, n: int, c: int) -> dict:
    command = ["ab", "-q", "-k", "-l", "-c", str(c), "-n", str(n)]
    if cookie:
        command += ["-C", cookie]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    bad = re.search(r"Non-2xx responses:\s+(\d+)", out)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    return {
        "rps": float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1)),
        "p50": float(re.search(r"^\s+50%\s+(\d+)", out, re.M).group(1)),
        "p95": float(re.search(r"^\s+95%\s+(\d+)", out, re.M).group(1)),
        "bad": (int(bad.group(1)) if bad else 0) + (int(failed.group(1)) if failed else 0),
    }


# ---------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench http", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--database", help="a demo database URL (migrated and loaded)")
    parser.add_argument("--requests", type=int, default=300, help="requests per target and run")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="targets whose label contains this")
    parser.add_argument("--python-client", action="store_true", help="do not use ab")
    parser.add_argument(
        "--settings", help="a settings module to serve with (a variant of zhaoshang.settings)"
    )
    parser.add_argument(
        "--built",
        action="store_true",
        help="build every page for every request (PAGE_CACHE=0: no page is kept)",
    )
    parser.add_argument(
        "--gunicorn-defaults",
        action="store_true",
        help="serve the application with gunicorn's defaults, not gunicorn.conf.py",
    )
    args = parser.parse_args(argv)
    use_ab = bool(shutil.which("ab")) and not args.python_client
    load = _ab_load if use_ab else _python_load

    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        workdir = Path(tmp)
        database = args.database or _demo_database(workdir)
        mini_database = _mini_database(database, workdir)
        site = _make_mini(workdir, mini_database)

        done = subprocess.run(
            [sys.executable, "-c", _SETUP, json.dumps(TARGETS)],
            cwd=ROOT,
            env=_python_env({"DATABASE_URL": database, "PYTHONPATH": str(ROOT)}),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(done.stderr[-3000:])
        setup = json.loads(done.stdout.strip().splitlines()[-1])

        mini = Server(
            "minimal", site, "minisite.wsgi:application",
            {"MINI_DATABASE_URL": mini_database},
            workdir / "minimal.log",
        )  # fmt: skip
        app = Server(
            "zhaoshang", ROOT, "zhaoshang.wsgi:application",
            {
                "DATABASE_URL": database,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SETTINGS_MODULE": args.settings or "zhaoshang.settings",
                "PAGE_CACHE": "0" if args.built else "1",
            },
            workdir / "zhaoshang.log",
            None if args.gunicorn_defaults else ROOT / "gunicorn.conf.py",
        )  # fmt: skip
        try:
            sessions: dict[str, str] = {}
            targets = [(OK, mini, "/ok", ""), (DRF, mini, "/items/", "")]
            for label, user, _name, _arg in TARGETS:
                if args.only and args.only not in label:
                    continue
                username = setup["enterprise"] if user == "enterprise" else user
                if username not in sessions:
                    sessions[username] = login(app.port, username)
                path = setup["urls"][label]
                status, headers, _body = request(
                    app.port, "GET", path, headers={"Cookie": sessions[username]}
                )
                if 300 <= status < 400:  # a home that sends its role elsewhere
                    path = {k.lower(): v for k, v in headers}["location"]
                    status, _h, _b = request(
                        app.port, "GET", path, headers={"Cookie": sessions[username]}
                    )
                if status != 200:
                    print(f"warning: {label} {path} answers {status}", flush=True)
                targets.append((label, app, path, sessions[username]))
            print(
                f"load: {'ab -k' if use_ab else 'python keep-alive client'}, "
                f"{args.requests} requests × {len(targets)} targets × {args.runs} runs, "
                f"concurrency {args.concurrency}, gunicorn {WORKERS} sync workers "
                f"({'defaults' if args.gunicorn_defaults else 'gunicorn.conf.py'}); "
                f"pages {'built for every request' if args.built else 'kept (core.pagecache)'}; "
                f"database {database.split('://')[0]}",
                flush=True,
            )
            for _label, server, path, cookie in targets:  # warm every worker
                load(server.port, path, cookie, 4 * args.concurrency, args.concurrency)
            results: dict[str, list[dict]] = {label: [] for label, *_rest in targets}
            sent = {mini: 0, app: 0}
            for run in range(args.runs):
                for label, server, path, cookie in targets:
                    cpu = server.cpu_seconds()
                    result = load(server.port, path, cookie, args.requests, args.concurrency)
                    result["cpu"] = (server.cpu_seconds() - cpu) * 1000 / args.requests
                    results[label].append(result)
                    sent[server] += args.requests
                print(f"run {run + 1}/{args.runs} done", flush=True)
            # Every worker has served at least 1,000 requests before its memory is read (the
            # rest on the last target of each server).
            for server in (mini, app):
                _label, _server, path, cookie = [t for t in targets if t[1] is server][-1]
                extra = 1100 * WORKERS - sent[server]
                if extra > 0:
                    load(server.port, path, cookie, extra, args.concurrency)
            memory = {"minimal": mini.memory_mib(), "zhaoshang": app.memory_mib()}
        finally:
            mini.stop()
            app.stop()
    _print(results, args.runs)
    print()
    print("gunicorn workers after ≥1,000 requests each (MiB): RSS / PSS / USS")
    for name, values in memory.items():
        shown = ", ".join(f"{r:.0f} / {p:.0f} / {u:.0f}" for r, p, u in values)
        print(f"  {name:<10} {shown}")
    return 0


def _print(results: dict[str, list[dict]], runs: int) -> None:
    print()
    print(
        f"{'target':<22}{'rps':>8}{'p50 ms':>8}{'p95 ms':>8}{'× DRF':>7}{'(min)':>7}"
        f"{'× ok':>7}{'non-2xx':>8}{'CPU ms':>8}"
    )
    for label, rows in results.items():
        ratios = [rows[i]["rps"] / results[DRF][i]["rps"] for i in range(runs)]
        to_ok = [rows[i]["rps"] / results[OK][i]["rps"] for i in range(runs)]
        print(
            f"{label:<22}{statistics.median(r['rps'] for r in rows):>8.1f}"
            f"{statistics.median(r['p50'] for r in rows):>8.0f}"
            f"{statistics.median(r['p95'] for r in rows):>8.0f}"
            f"{statistics.median(ratios):>7.2f}{min(ratios):>7.2f}"
            f"{statistics.median(to_ok):>7.2f}{sum(r['bad'] for r in rows):>8}"
            f"{statistics.median(r['cpu'] for r in rows):>8.1f}"
        )
