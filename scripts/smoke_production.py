"""Production smoke test: the platform started as docs/operations.md says, driven end to end.

It proves that a production deployment works as documented:

1. a fresh PostgreSQL database (its name contains ``smoke``; dropped at the end), its own
   Redis on a spare port (never the machine's shared one) and a local SMTP server (aiosmtpd)
   that collects the mail;
2. the production settings from the environment (``ZHAOSHANG_PRODUCTION=1`` …), then
   ``migrate``, ``collectstatic --noinput`` and ``check --deploy`` with no warning;
3. gunicorn, the task worker and the scheduler as separate processes;
4. a bureau user logs in through the login form and raises a need (诉求) assigned to a
   department: the department handler's e-mail arrives at the SMTP server;
5. Redis is stopped; a second need is raised (the page still answers; its outbox row is
   pending); Redis is started again, and the scheduler's outbox sweep delivers that e-mail
   without any new request or event;
6. ``/healthz`` answers 200 over plain HTTP with the database, cache and tasks ok;
7. gunicorn (``gunicorn.conf.py``) forked its workers from the preloaded application: each
   shares most of its memory with the master.

Run it from the project root: ``.venv/bin/python scripts/smoke_production.py``. It prints the
time of each phase and ends with ``smoke: N passed, N failed``; the exit code is 1 on any
failure. Every wait is bounded; every process it starts is stopped, and its database dropped,
whatever happens.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("SMOKE_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PASSWORD = "Smoke@2026pw"
HANDLER_EMAIL = "handler@smoke.example.gov.cn"
STARTUP_TIMEOUT = 120
DELIVERY_TIMEOUT = 60
# A worker forked from the preloaded application shares its modules with the master (about
# 55 MiB after a few requests); one that imported the application itself shares only the
# interpreter's and libraries' code (about 18 MiB).
SHARED_MIB_MIN = 40
# The outbox sweep's period for the scheduler under test (the documented default is longer).
SWEEP_SECONDS = 5
TASKS_BACKEND = "rq"
WORKER = ["manage.py", "worker"]
SCHEDULER = ["manage.py", "scheduler"]

# The minimum data, written through the ORM (load_demo refuses production settings):
# a district, the department a need is assigned to with its handler (who has an e-mail
# address), a bureau user who raises needs, an enterprise and its project. Prints the ids.
SEED = """
import datetime, json
from decimal import Decimal
from django.contrib.auth.models import Group
from zhaoshang.core.roles import Role
from zhaoshang.enterprises.creditcode import make_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.models import Department, District, Park, User, Zone
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project

district = District.objects.create(code="smoke", name="冒烟区", city="测试市")
works = Department.objects.create(district=district, name="区建设局", short_name="建设局")
bureau_dept = Department.objects.create(district=district, name="区招商局", short_name="招商局")
zone = Zone.objects.create(district=district, code="Z1", name="工业集中发展区", area_km2=Decimal("5"))
park = Park.objects.create(
    district=district, zone=zone, code="P1", name="装备制造产业园", area_km2=Decimal("2")
)
handler = User.objects.create_user(
    "smoke_handler", HANDLER_EMAIL, PASSWORD, district=district, department=works,
    real_name="建设局经办人",
)
handler.groups.add(Group.objects.get(name=Role.DEPARTMENT))
bureau = User.objects.create_user(
    "smoke_bureau", "", PASSWORD, district=district, department=bureau_dept, real_name="招商局"
)
bureau.groups.add(Group.objects.get(name=Role.BUREAU))
enterprise = Enterprise.objects.create(
    district=district, name="冒烟测试科技有限公司",
    credit_code=make_credit_code("91510100MA6XYD123"), origin="local",
)
project = Project.objects.create(
    district=district, code="ZS-2026-9001", name="冒烟测试项目", enterprise=enterprise,
    park=park, stage=Stage.SIGNED, total_investment=Decimal("10000"),
    signed_on=datetime.date(2026, 3, 2),
)
print("SEED " + json.dumps({"project": project.pk, "department": works.pk}))
"""


class SmokeFailure(Exception):
    """A check of the smoke test failed (the message says which and why)."""


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, condition: Callable[[], object], timeout: float, step: float = 0.25):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


# ---------------------------------------------------------------------------------------
# The services the test brings: PostgreSQL database, Redis, SMTP


class Database:
    """A fresh PostgreSQL database on the shared server, dropped at the end."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.name = f"zhaoshang_smoke_{os.getpid()}_{secrets.token_hex(3)}"
        base = admin_url.rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"
        self.created = False

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10)

    def create(self) -> None:
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def drop(self) -> None:
        if not self.created:
            return
        assert "smoke" in self.name
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.created = False


class Redis:
    """The test's own redis-server on a spare port, without persistence."""

    def __init__(self, port: int, log_path: Path):
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the process's life
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_for(f"redis-server on port {self.port}", self.ping, 15)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


class MailCollector:
    """aiosmtpd handler keeping every message received (in a thread of its own)."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        with self.lock:
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "subject": str(message["subject"] or ""),
                    "body": body.get_content() if body is not None else "",
                }
            )
        return "250 Message accepted for delivery"

    def find(self, address: str, token: str) -> dict | None:
        with self.lock:
            for message in self.messages:
                if address in message["to"] and (
                    token in message["subject"] or token in message["body"]
                ):
                    return message
        return None


# ---------------------------------------------------------------------------------------
# The application's processes


class Processes:
    """The long-running processes of the deployment, each logging to its own file."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen] = {}

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(self, name: str, args: list[str]) -> None:
        log = open(self.log_path(name), "ab")  # noqa: SIM115 - kept open for the process's life
        self.running[name] = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def check_alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                raise SmokeFailure(f"{name} exited with code {process.returncode}")

    def stop_all(self) -> None:
        """SIGTERM to each process group started here (gunicorn's workers, the RQ worker's
        job children), SIGKILL to what is left after 15 s."""
        for process in self.running.values():
            _signal_group(process, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(5)
            _signal_group(process, signal.SIGKILL)  # children that outlived their parent


def _parent_of(proc_entry: Path) -> int | None:
    try:
        return int((proc_entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None  # a process that ended meanwhile


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal the session this script started the process in (its group id is its pid)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    """Run a management command; return its output; fail with the output on an error.
    Prints its wall-clock and CPU time (its own, even when others run at the same time)."""
    command = " ".join(args[:2])
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode(errors="replace")
    if code != 0:
        raise SmokeFailure(f"manage.py {command} exited {code}:\n{output}")
    wall, cpu = time.monotonic() - started, usage.ru_utime + usage.ru_stime
    print(f"     manage.py {command} ({wall:.1f} s, {cpu:.1f} s of CPU)", flush=True)
    return output


# ---------------------------------------------------------------------------------------
# The browser: a session behind a TLS-terminating proxy


class Browser:
    """Requests as the reverse proxy forwards them: plain HTTP to gunicorn, with
    ``X-Forwarded-Proto: https`` and the client's address in ``X-Forwarded-For``."""

    def __init__(self, base: str, public_origin: str):
        self.base = base
        self.origin = public_origin
        self.session = requests.Session()
        self.session.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "203.0.113.7",
                "Accept-Language": "en",
            }
        )

    def cookie_header(self) -> dict:
        """The cookies are Secure (set over HTTPS at the proxy): a client only sends them
        over HTTPS, so the plain-HTTP hop gets them in a header of our own, as the proxy
        would pass them on."""
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)}

    def get(self, path: str) -> requests.Response:
        return self.session.get(
            self.base + path, headers=self.cookie_header(), allow_redirects=False, timeout=30
        )

    def post(self, path: str, data: dict) -> requests.Response:
        data = {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""), **data}
        headers = {"Referer": self.origin + path, "Origin": self.origin, **self.cookie_header()}
        return self.session.post(
            self.base + path, data=data, headers=headers, allow_redirects=False, timeout=30
        )


def expect(response: requests.Response, status: int, what: str) -> requests.Response:
    if response.status_code != status:
        raise SmokeFailure(
            f"{what}: expected {status}, got {response.status_code} "
            f"{response.headers.get('Location', '')}\n{response.text[:1500]}"
        )
    return response


# ---------------------------------------------------------------------------------------
# The smoke test


class Smoke:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.timings: list[tuple[str, float]] = []
        self.log_dir = Path(tempfile.mkdtemp(prefix="zhaoshang-smoke-", dir="/tmp"))
        self.db = Database(PG_ADMIN_URL)
        self.redis = Redis(spare_port(), self.log_dir / "redis.log")
        self.mail = MailCollector()
        self.smtp = Controller(self.mail, hostname="127.0.0.1", port=spare_port())
        self.web_port = spare_port()
        self.origin = f"https://127.0.0.1:{self.web_port}"
        self.env = self.production_env()
        self.processes = Processes(self.env, self.log_dir)
        self.browser = Browser(f"http://127.0.0.1:{self.web_port}", self.origin)
        self.seed: dict = {}

    def production_env(self) -> dict:
        """The environment of docs/operations.md's "Deploying" section."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "ZHAOSHANG_", "SCHEDULE_"))
            and key
            not in {
                "DATABASE_URL",
                "REDIS_URL",
                "DEBUG",
                "SECRET_KEY",
                "TASKS_BACKEND",
                "STATIC_ROOT",
            }
        }
        env.update(
            {
                "ZHAOSHANG_PRODUCTION": "1",
                "SECRET_KEY": secrets.token_urlsafe(60),
                "DATABASE_URL": self.db.url,
                "REDIS_URL": self.redis.url,
                "TASKS_BACKEND": TASKS_BACKEND,
                "ALLOWED_HOSTS": "127.0.0.1",
                "CSRF_TRUSTED_ORIGINS": self.origin,
                "TRUSTED_PROXY_COUNT": "1",
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.smtp.port),
                "DEFAULT_FROM_EMAIL": "zhaoshang@smoke.example.gov.cn",
                "MEDIA_ROOT": str(self.log_dir / "media"),
                "STATIC_ROOT": str(self.log_dir / "static"),
                "SCHEDULE_OUTBOX_SECONDS": str(SWEEP_SECONDS),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    # -- bookkeeping -------------------------------------------------------------------

    def check(self, name: str, function: Callable[[], None]) -> bool:
        started = time.monotonic()
        try:
            function()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, then the rest stops
            self.failed += 1
            print(f"FAIL {name}: {exc}", flush=True)
            return False
        elapsed = time.monotonic() - started
        self.timings.append((name, elapsed))
        self.passed += 1
        print(f"ok   {name} ({elapsed:.1f} s)", flush=True)
        return True

    def show_logs(self) -> None:
        for path in sorted(self.log_dir.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-40:]
            print(f"---- tail of {path}", flush=True)
            for line in lines:
                print(f"    {line}")

    # -- phases --------------------------------------------------------------------------

    def start_up(self) -> None:
        self.db.create()
        self.redis.start()
        self.smtp.start()
        # collectstatic and check --deploy do not touch the database: they run while
        # migrate does (the database server does much of migrate's work).
        with ThreadPoolExecutor(3) as pool:
            steps = [
                pool.submit(manage, self.env, "migrate", "--noinput", "-v0"),
                pool.submit(manage, self.env, "collectstatic", "--noinput", "-v0"),
                pool.submit(manage, self.env, "check", "--deploy"),
            ]
            output = [step.result() for step in steps][-1]
        if (
            "WARNINGS" in output
            or "?: (security" in output
            or "System check identified no issues" not in output
        ):
            raise SmokeFailure(f"check --deploy is not clean:\n{output}")
        seeded = manage(
            self.env,
            "shell",
            "--no-imports",
            "-c",
            f"HANDLER_EMAIL = {HANDLER_EMAIL!r}\nPASSWORD = {PASSWORD!r}\n{SEED}",
        )
        match = re.search(r"^SEED (.*)$", seeded, re.MULTILINE)
        if not match:
            raise SmokeFailure(f"the seed printed no ids:\n{seeded}")
        self.seed = json.loads(match.group(1))
        self.processes.start(
            "gunicorn",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "zhaoshang.wsgi",
                "-c",
                "gunicorn.conf.py",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "-w",
                "2",
                "--access-logfile",
                "-",
                # No control socket: its default path is shared by every gunicorn of the user.
                "--no-control-socket",
            ],
        )
        self.processes.start("worker", [PYTHON, *WORKER])
        self.processes.start("scheduler", [PYTHON, *SCHEDULER])

        def answers():
            self.processes.check_alive()
            try:
                return self.browser.get("/accounts/login/").status_code == 200
            except requests.RequestException:  # not listening yet, or still loading
                return False

        wait_for("gunicorn to answer the login page", answers, STARTUP_TIMEOUT)
        time.sleep(1)  # the worker and the scheduler connect to Redis meanwhile
        self.processes.check_alive()

    def log_in(self) -> None:
        page = expect(self.browser.get("/accounts/login/"), 200, "GET the login page")
        if "max-age=" not in page.headers.get("Strict-Transport-Security", ""):
            raise SmokeFailure("the login page over HTTPS sends no HSTS header")
        if not self.browser.session.cookies.get("csrftoken"):
            raise SmokeFailure("the login page set no CSRF cookie")
        response = expect(
            self.browser.post(
                "/accounts/login/", {"username": "smoke_bureau", "password": PASSWORD}
            ),
            302,
            "POST the login form",
        )
        session = next((c for c in response.cookies if c.name == "sessionid"), None)
        if session is None:
            raise SmokeFailure("the login set no session cookie")
        if not session.secure or not session.has_nonstandard_attr("HttpOnly"):
            raise SmokeFailure("the session cookie is not Secure and HttpOnly")
        expect(self.browser.get("/"), 200, "the home page after logging in")

    def raise_need(self, token: str) -> int:
        path = f"/service/projects/{self.seed['project']}/needs/new/"
        form = expect(self.browser.get(path), 200, "GET the need form").text
        category = re.search(r'<select name="category"[^>]*>.*?<option value="([^"]+)"', form, re.S)
        if not category:
            raise SmokeFailure("the need form has no category to choose")
        if f'<option value="{self.seed["department"]}"' not in form:
            raise SmokeFailure("the need form does not offer the department")
        response = expect(
            self.browser.post(
                path,
                {
                    "category": category.group(1),
                    "title": f"Smoke {token}",
                    "description": f"Raised by the production smoke test ({token}).",
                    "department": str(self.seed["department"]),
                    "due_workdays": "5",
                },
            ),
            302,
            "POST the need form",
        )
        match = re.search(r"/service/needs/(\d+)/$", response.headers.get("Location", ""))
        if not match:
            raise SmokeFailure(f"the need form redirected to {response.headers.get('Location')}")
        return int(match.group(1))

    def outbox_statuses(self, token: str) -> list[str]:
        rows = self.db.query(
            "SELECT o.status FROM notifications_outboxmessage o "
            "JOIN notifications_notification n ON n.id = o.notification_id "
            "WHERE o.address = %s AND n.title LIKE %s",
            (HANDLER_EMAIL, f"%{token}%"),
        )
        return [status for (status,) in rows]

    def counts(self) -> tuple:
        """What a new need would add: its events and the handler's notifications and outbox
        rows. The sweep must add none (the scheduler's other jobs may write elsewhere)."""
        return self.db.query(
            "SELECT (SELECT count(*) FROM core_domainevent WHERE verb LIKE 'need.%%'),"
            " (SELECT count(*) FROM notifications_notification n JOIN org_user u"
            "  ON u.id = n.recipient_id WHERE u.email = %s),"
            " (SELECT count(*) FROM notifications_outboxmessage WHERE address = %s)",
            (HANDLER_EMAIL, HANDLER_EMAIL),
        )[0]

    def sweeps_that_sent(self, since) -> list[str]:
        """The outbox sweeps started since ``since`` (database time) that sent something."""
        rows = self.db.query(
            "SELECT result FROM ops_jobrun WHERE job = 'outbox_sweep' AND started_at >= %s"
            " AND result LIKE 'sent %%' AND result NOT LIKE 'sent 0,%%' ORDER BY started_at",
            (since,),
        )
        return [result for (result,) in rows]

    def health_report(self) -> dict:
        """GET /healthz as a load balancer would: plain HTTP, no forwarded headers."""
        response = requests.get(f"http://127.0.0.1:{self.web_port}/healthz", timeout=10)
        return expect(response, 200, "GET /healthz over plain HTTP").json()

    def wait_for_mail(self, token: str) -> dict:
        def arrived():
            self.processes.check_alive()
            return self.mail.find(HANDLER_EMAIL, token)

        return wait_for(f"the e-mail of {token} at the SMTP server", arrived, DELIVERY_TIMEOUT)

    def first_delivery(self) -> None:
        token = f"first-{secrets.token_hex(4)}"
        self.raise_need(token)
        self.wait_for_mail(token)
        wait_for("the outbox row marked sent", lambda: self.outbox_statuses(token) == ["sent"], 15)

    def delivery_after_redis_restart(self) -> None:
        """Redis (cache and broker) down: the page still answers and the outbox row is
        written, though the delivery task cannot be queued; /healthz says degraded. Redis
        back: the message is delivered by the scheduler's outbox sweep, with no new request,
        event or notification. (The sweep runs in the scheduler, not through the queue: it
        may deliver before Redis is back, which is as good.)"""
        token = f"second-{secrets.token_hex(4)}"
        self.redis.stop()
        if self.redis.ping():
            raise SmokeFailure("Redis still answers after being stopped")
        (since,) = self.db.query("SELECT now()")[0]
        self.raise_need(token)
        statuses = self.outbox_statuses(token)
        if statuses not in (["pending"], ["sent"]):
            raise SmokeFailure(f"the outbox row written while Redis was down is {statuses}")
        before = self.counts()
        report = self.health_report()
        if report.get("status") != "degraded" or report.get("database") != "ok":
            raise SmokeFailure(f"/healthz with Redis down says {report}")
        if report.get("cache") == "ok" or report.get("tasks") == "ok":
            raise SmokeFailure(f"/healthz does not see Redis down: {report}")
        self.redis.start()
        self.wait_for_mail(token)
        wait_for("the outbox row marked sent", lambda: self.outbox_statuses(token) == ["sent"], 15)
        if not self.sweeps_that_sent(since):
            raise SmokeFailure("no outbox sweep sent anything since the need was raised")
        after = self.counts()
        if after != before:
            raise SmokeFailure(f"need events, notifications, outbox rows: {before} → {after}")

    def health(self) -> None:
        def healthy():
            report = self.health_report()
            return report if report.get("status") == "ok" else None

        try:
            report = wait_for("/healthz to say ok", healthy, 15)
        except SmokeFailure:
            raise SmokeFailure(f"/healthz says {self.health_report()}") from None
        for key in ("database", "cache", "tasks", "scheduler"):
            if report.get(key) != "ok":
                raise SmokeFailure(f"/healthz says {key}={report.get(key)!r}: {report}")
        # Only /healthz is exempt: any other page over plain HTTP is sent to HTTPS.
        plain = requests.get(
            f"http://127.0.0.1:{self.web_port}/accounts/login/", allow_redirects=False, timeout=30
        )
        if plain.status_code != 301 or not plain.headers.get("Location", "").startswith("https:"):
            raise SmokeFailure(f"plain HTTP to the login page answers {plain.status_code}")

    def shared_workers(self) -> None:
        master = self.processes.running["gunicorn"].pid
        workers = [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _parent_of(entry) == master
        ]
        if len(workers) != 2:
            raise SmokeFailure(f"gunicorn runs {len(workers)} workers, not 2")
        for pid in workers:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            shared = sum(
                int(kib) for kib in re.findall(r"^Shared_(?:Clean|Dirty):\s+(\d+)", rollup, re.M)
            )
            print(f"  gunicorn's worker {pid} shares {shared / 1024:.0f} MiB", flush=True)
            if shared / 1024 < SHARED_MIB_MIN:
                raise SmokeFailure(
                    f"gunicorn's worker {pid} shares {shared / 1024:.0f} MiB with the master "
                    f"(under {SHARED_MIB_MIN}): the application was not preloaded"
                )

    def run(self) -> int:
        started = time.monotonic()
        print(f"smoke: logs in {self.log_dir}", flush=True)
        try:
            phases = [
                (
                    "start-up (database, Redis, SMTP, migrate, check --deploy, processes)",
                    self.start_up,
                ),
                ("log in through the login form", self.log_in),
                ("first delivery (need → department handler's e-mail)", self.first_delivery),
                (
                    "delivery after a Redis restart (the outbox sweep)",
                    self.delivery_after_redis_restart,
                ),
                ("/healthz over plain HTTP", self.health),
                ("gunicorn's workers share the preloaded application", self.shared_workers),
            ]
            for name, phase in phases:
                if not self.check(name, phase):
                    self.show_logs()
                    break
            else:
                self.check("all processes still running", self.processes.check_alive)
        finally:
            self.processes.stop_all()
            self.redis.stop()
            with contextlib.suppress(Exception):  # not started
                self.smtp.stop()
            try:
                self.db.drop()
            except Exception as exc:  # noqa: BLE001 - reported, never hides the result
                print(f"smoke: could not drop {self.db.name}: {exc}", flush=True)
        total = time.monotonic() - started
        for name, elapsed in self.timings:
            print(f"  {elapsed:6.1f} s  {name}")
        print(f"  {total:6.1f} s  total")
        print(f"smoke: {self.passed} passed, {self.failed} failed", flush=True)
        if self.failed == 0:
            shutil.rmtree(self.log_dir, ignore_errors=True)
        return 1 if self.failed else 0


def _stop_on_sigterm(signum, frame):
    raise SystemExit(f"smoke: stopped by signal {signum}")  # runs the clean-up (finally)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    sys.exit(Smoke().run())
