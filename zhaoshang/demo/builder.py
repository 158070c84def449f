"""Builds the demo city 锦川市 (SPEC §18): the demo district 东城区 in full and the small
second district 西城区 that proves the isolation between districts.

One ``random.Random(2026)`` drives every choice and every date is counted back from today,
so a given day always gives the same data and nothing is dated after it. The caller runs
:meth:`DemoBuilder.build` inside one transaction. The districts' people and records are made
by ``city.CityMixin``, their projects planned by ``plans.PlansMixin`` and replayed by
``projects.ProjectsReplay``; each other part of the city by its own builder, in order.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import NoReverseMatch

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo import city as C
from zhaoshang.demo import names as N
from zhaoshang.demo.agreements import AgreementsBuilder, agreement_counts
from zhaoshang.demo.approvals import ApprovalsBuilder, approval_counts
from zhaoshang.demo.assessment import AssessmentBuilder
from zhaoshang.demo.city import ACCOUNT_USERNAMES, DEMO_CODE, SECOND_CODE  # noqa: F401
from zhaoshang.demo.complaints import ComplaintsBuilder, complaint_counts
from zhaoshang.demo.days import add_months
from zhaoshang.demo.exits import ExitsBuilder, exit_counts
from zhaoshang.demo.inspections import InspectionsBuilder, inspection_counts
from zhaoshang.demo.kpis import KpisBuilder, kpi_counts
from zhaoshang.demo.land import LandBuilder, land_counts
from zhaoshang.demo.meetings import MeetingsBuilder, meeting_counts
from zhaoshang.demo.onboarded import OnboardedBuilder, onboarded_accounts, onboarded_counts
from zhaoshang.demo.ops import OpsBuilder, ops_counts, scan_moment
from zhaoshang.demo.plans import PlansMixin
from zhaoshang.demo.portal import PortalBuilder, portal_counts
from zhaoshang.demo.projects import ProjectsReplay
from zhaoshang.demo.replay import SHANGHAI, Timeline, moment, office_time
from zhaoshang.demo.reports import PdfsBeside, ReportsBuilder, report_counts
from zhaoshang.demo.reset import demo_users
from zhaoshang.demo.service import ServiceBuilder, service_counts
from zhaoshang.monitoring.models import Signal
from zhaoshang.notifications.models import Notification
from zhaoshang.notifications.services import notify
from zhaoshang.org.models import District, User
from zhaoshang.projects.choices import REPORTING_STAGES, Condition, Stage
from zhaoshang.projects.models import MonthlyReport, Project

SEED = 2026
OUTLINES = Path(__file__).resolve().parent / "data" / "outlines.geojson"
DAY = datetime.timedelta(days=1)
# The inboxes: older messages are read, and of this morning's escalations the newest few
# per person wait; receipts and instructions are read with the record they bring.
INBOX_UNREAD_DAYS = 7
ESCALATIONS_WAITING = 5
READ_WITH_THEIR_RECORD = ("receipt.filed", "instruction.written")
# The later parts of the city, in the order they are built (each after what it draws on).
PARTS = (ApprovalsBuilder, ServiceBuilder, MeetingsBuilder, AgreementsBuilder)
PARTS += (ComplaintsBuilder, InspectionsBuilder, LandBuilder, KpisBuilder, ExitsBuilder)
PARTS += (OnboardedBuilder,)  # 南城区, its ledger imported (issue 20)
PARTS += (PortalBuilder,)  # last: the enterprise rates what the others closed
PART_COUNTS = (approval_counts, service_counts, meeting_counts, agreement_counts)
PART_COUNTS += (complaint_counts, inspection_counts, land_counts, kpi_counts, report_counts)
PART_COUNTS += (portal_counts, onboarded_counts)


def demo_counts() -> dict[str, int]:
    """How many records of each kind the demo districts hold (for the summary and tests):
    the records of ``data/counts.json`` by their path to the district, then each part's."""
    ids = list(District.objects.filter(code__in=C.DISTRICT_CODES).values_list("pk", flat=True))
    users = User.objects.filter(demo_users(ids))
    counts = {"districts": len(ids), "users": users.count()}
    for label, (model, path) in N.load("counts")["COUNTED"].items():
        counts[label] = apps.get_model(model).objects.filter(**{f"{path}__in": ids}).count()
    counts["notifications"] = Notification.objects.filter(recipient__in=users).count()
    for part_counts in PART_COUNTS:
        counts.update(part_counts(ids))
    counts["lights (yellow/red)"] = Signal.objects.filter(district_id__in=ids).count()
    return {**counts, **exit_counts(ids), **ops_counts(users.values("pk"))}


def _reread(projects) -> None:
    """``refresh_from_db`` of the projects in one query, keeping the rows they point to
    (their district …) unless the key changed."""
    fresh = Project.objects.in_bulk([project.pk for project in projects])
    for project in projects:
        for field in Project._meta.concrete_fields:
            setattr(project, field.attname, getattr(fresh[project.pk], field.attname))
        for rel in Project._meta.related_objects:
            if rel.one_to_one and rel.is_cached(project):
                rel.delete_cached_value(project)
        project.__dict__.pop("_prefetched_objects_cache", None)


@contextlib.contextmanager
def no_query_log():
    """With DEBUG on, Django keeps the SQL of every query for the debug page; a load runs
    over a hundred thousand and needs none of them kept."""
    connection.make_debug_cursor = connection.make_cursor
    try:
        yield
    finally:
        del connection.make_debug_cursor


@contextlib.contextmanager
def shared_password_hash(hashed: str):
    """A demo account made by a service (``set_password(N.PASSWORD)``: a contact accepting
    an invitation) gets the hash made once for every account: a hash costs most of a second
    of CPU by design."""
    from django.contrib.auth import base_user

    make = base_user.make_password

    def made_once(raw, *args, **kwargs):
        return (
            hashed if raw == N.PASSWORD and not args and not kwargs else make(raw, *args, **kwargs)
        )

    base_user.make_password = made_once
    try:
        yield
    finally:
        base_user.make_password = make


@contextlib.contextmanager
def pages_in_memory():
    """On SQLite, the load's pages stay in memory until the commit (the demo city is some
    twenty megabytes): with the default two-megabyte cache, pages spill to the file
    mid-transaction, each spill syncing the journal first."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")  # at most 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def mark_read_at(read: dict[int, datetime.datetime]) -> None:
    """``{notification: moment}``: each unread one read at its moment, as ``mark_read`` by its
    recipient with the clock at that moment marks it (thousands of inbox visits: one
    statement run for them all)."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    sql = f"UPDATE {table} SET read_at = %s WHERE id = %s AND read_at IS NULL"
    adapt = connection.ops.adapt_datetimefield_value
    if read:
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(adapt(at), pk) for pk, at in read.items()])


def _one_delivery_on_commit() -> None:
    """Every message of the replay asked for a delivery run when the load commits: one run
    delivers them all."""
    entries = connection.run_on_commit
    runs = [e for e in entries if getattr(e[1], "__name__", "") == "_enqueue_delivery"]
    later = {id(e) for e in runs[1:]}
    entries[:] = [e for e in entries if id(e) not in later]


class DemoBuilder(C.CityMixin, PlansMixin):
    """Creates the demo city. Use once: ``DemoBuilder(today).build()``."""

    def __init__(self, today: datetime.date, storage=None, progress=None):
        self.rng, self.today, self.storage = random.Random(SEED), today, storage or default_storage
        self.progress = progress or (lambda step: None)  # told each step (load_demo prints it)
        self.password = make_password(N.PASSWORD)  # hashed once, shared by every account
        self.groups = {g.name: g for g in Group.objects.all()}
        self.usernames = set(User.objects.values_list("username", flat=True))
        # The fixed names of the accounts and leaders are not drawn for anyone else.
        self.person_names = {C.CITY_PERSON[1]} | {
            row[1]
            for spec in (C.DEMO, C.SECOND)
            for row in [*spec.role_people.values(), *spec.leaders]
        }
        self.features = json.loads(OUTLINES.read_text(encoding="utf-8"))["features"]
        self.credit_codes, self.written_files, self.accounts, self.worlds = set(), [], [], []
        self._exit_count = self._stops = self._low = 0
        self.scan_figures, self.pdfs = "", None

    def build(self) -> list[C.DistrictWorld]:
        with shared_password_hash(self.password):  # the contacts joining in the portal
            try:
                return self._build()
            except BaseException:
                if self.pdfs is not None:  # (its drawing process is not waited for)
                    self.pdfs.pool.terminate()
                raise

    def _build(self) -> list[C.DistrictWorld]:
        self.pdfs = PdfsBeside.start()  # the reports' PDFs' process, ready when they come
        line = Timeline(self.today)
        for spec in (C.DEMO, C.SECOND):
            self.progress(f"district {spec.code}: people, enterprises, projects")
            world = self._district(spec)  # its people and records now
            self._plan_projects(world)  # its projects planned on the timeline
            ProjectsReplay(self, world, line).plan()
            self.worlds.append(world)
        self._city_user()
        self.progress("the projects' year replayed day by day")
        line.run()
        for world in self.worlds:
            _reread([plan.project for plan in world.plans])
            self._enterprise_users(world)
        self._notifications(self.worlds[0])
        for part in PARTS:
            self.progress(part.__name__.removesuffix("Builder").lower())
            part(self).build()
        self.progress("lights, assessment, reports, outbox")
        self._lights()
        # Last: it finishes last year's assessment, after every scan has written its entries.
        AssessmentBuilder(self).build()
        # After the assessment: the reports are issued from the finished ledger and lights
        # (their PDFs drawn beside the rest of the load, written before it ends).
        ReportsBuilder(self).build()
        self._inbox_read()
        # The KPI figures of the demo's districts as the morning's daily scan leaves them (its
        # step kpis.snapshots.scan), after every record the KPIs are computed from; another
        # district of the database (the tests' world) is its own scan's business.
        from zhaoshang.kpis.snapshots import scan as kpi_snapshots

        kpi_snapshots(self.today, [world.district.pk for world in self.worlds])
        # Last: the outbox as the morning finds it, the scheduled jobs' runs, API tokens.
        OpsBuilder(self).build()
        _one_delivery_on_commit()
        if self.pdfs is not None:
            self.pdfs.finish()
        return self.worlds

    def _lights(self) -> None:
        """Last: the morning's daily scan has lit every timed thing of the city and taken
        the old red ones up the chain (SPEC §11)."""
        from zhaoshang.demo.lights import LightsHistory
        from zhaoshang.monitoring.services import escalate, record_lights, refresh_signals

        with clock.at(scan_moment(clock.now())):  # the daily scan's slot this morning
            refresh = refresh_signals(self.today)
            moved = escalate(self.today)
            # The lights' history: the last year's month ends, then this morning's changes.
            LightsHistory(self).build()
            record_lights(self.today)
        # What the operations page shows as the morning's daily scan (ops.OpsBuilder).
        self.scan_figures = (
            f"lights: {refresh.created} new, {refresh.updated} changed, "
            f"{refresh.removed} cleared; {moved} escalated"
        )

    def _inbox_read(self) -> None:
        """People have read what they were told before this week (receipts and instructions
        keep their own read state) and most of this morning's escalations (the newest few per
        person wait): each opened the inbox after the last message of each week and read that
        week's (``mark_read`` with the clock at that moment)."""
        unread = Notification.objects.filter(
            recipient__district__in=[w.district for w in self.worlds], read_at__isnull=True
        )
        week = moment(self.today - DAY * INBOX_UNREAD_DAYS, 0)
        visits: dict[tuple, list] = defaultdict(list)  # (recipient, week or 0) -> [(pk, at)]
        old = unread.filter(created_at__lt=week).exclude(verb__in=READ_WITH_THEIR_RECORD)
        for pk, recipient, created in old.values_list("pk", "recipient_id", "created_at"):
            visits[recipient, created.astimezone(SHANGHAI).isocalendar()[:2]].append((pk, created))
        escalations = unread.filter(verb="signal.escalated").order_by("recipient_id", "-pk")
        waiting = Counter()
        for pk, recipient, created in escalations.values_list("pk", "recipient_id", "created_at"):
            waiting[recipient] += 1
            if waiting[recipient] > ESCALATIONS_WAITING:
                visits[recipient, 0].append((pk, created))
        now, read = clock.now(), {}  # notification -> read at (the first visit reads it)
        for (recipient, key), notes in sorted(visits.items(), key=lambda v: v[0][0]):
            last = max(created for _pk, created in notes)
            delay = 20 if key == 0 else 60 + recipient % 30
            at = (last + datetime.timedelta(minutes=delay)).astimezone(SHANGHAI)
            if at.hour >= 18 and key != 0:  # read the next morning
                at = moment(at.date() + DAY, 8, 40)
            for pk, _c in notes:
                read.setdefault(pk, min(at, now))
        mark_read_at(read)

    def account_lines(self) -> list[str]:
        """The demo accounts, for the command's summary."""
        lines = [f"Demo accounts (password {N.PASSWORD}):"]
        accounts = {a[0]: a for a in self.accounts}
        for username in sorted(ACCOUNT_USERNAMES, key=lambda u: (u.rstrip("2") != u, u)):
            if username in accounts:
                _u, role, real_name, unit = accounts[username]
                lines.append(f"  {username:<16} {role:<15} {real_name:<6} {unit}")
        onboarded = onboarded_accounts()
        for username, role, real_name, unit in onboarded:
            lines.append(f"  {username:<16} {role:<15} {real_name:<6} {unit}")
        ids = [w.district.pk for w in self.worlds]
        named = [*ACCOUNT_USERNAMES, *(a[0] for a in onboarded)]
        others = User.objects.filter(demo_users(ids)).exclude(username__in=named)
        lines.append(f"  … and {others.count()} more people (user names in pinyin), same password.")
        return lines

    def discard_files(self) -> None:
        """Remove the files written so far (the load failed and its rows were rolled back)."""
        if self.pdfs is not None:
            self.pdfs.pool.terminate()
        for name in self.written_files:
            self.storage.delete(name)

    def _days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - DAY * self.rng.randint(low, high)

    # -- the messages people sent by hand -------------------------------------------------------

    def _notifications(self, world: C.DistrictWorld) -> None:
        """The messages people sent each other by hand (the services send the rest): the
        missing monthly reports, the delayed and stopped projects, the portal's reminder and
        the tax bureau's request. Each is sent through ``notify`` on its day."""
        users, text, today = world.role_users, N.HAND_MESSAGES, self.today
        changed = "project.condition_changed"
        messages = self._missing_reports(world)  # (recipient, verb, title, body, plan, day)
        delayed = [p for p in world.plans if p.condition != Condition.NORMAL]
        delayed.sort(key=lambda p: p.condition_since, reverse=True)
        stopped = [p for p in delayed if p.condition == Condition.STOPPED]
        for plan in delayed[:2]:
            title = text[plan.condition].format(name=plan.name)
            messages.append((users[Role.BUREAU], changed, title, "", plan, None))
        for plan in stopped[:1]:
            title = text["stopped_leader"].format(name=plan.name)
            messages.append((users[Role.LEADER], changed, title, "", plan, None))
        if delayed:
            title = text["digest"].format(delayed=len(delayed) - len(stopped), stopped=len(stopped))
            body = "、".join(p.name for p in delayed[:5])
            messages.append((users[Role.SUPERVISOR], "supervision.digest", title, body, None, None))
        portal = users[Role.ENTERPRISE]
        own = [p for p in world.plans if p.enterprise == portal.enterprise]
        if reporting := "、".join(p.name for p in own if p.stage in REPORTING_STAGES):
            due = add_months(today.replace(day=1), 1 if today.day > 5 else 0)
            month = add_months(due, -1)
            title = text["reminder"].format(due=due.month, year=month.year, month=month.month)
            messages.append((portal, "monthly_report.reminder", title, reporting, None, None))
        # The tax bureau's figures for the per-mu tax of the clean-up campaign (its handler's
        # address was mistyped: the outbox shows the message failing).
        for user in world.staff:
            unit = user.department.short_name if user.department else ""
            if user.title == "经办人" and unit == C.MISTYPED_UNIT:
                request = (user, "bureau.request", text["tax_request"], "", None, today - DAY * 3)
                messages.append(request)
        for recipient, verb, title, body, plan, day in messages:
            day = min(day or (plan.condition_since if plan else today - DAY), today - DAY)
            body = body or (plan.condition_reason if plan else "")
            with clock.at(office_time(self.rng, day)):
                notify([recipient], verb, title, body=body, url=self._url(plan))

    def _missing_reports(self, world: C.DistrictWorld) -> list[tuple]:
        """The bureau's own reminder of last month's progress reports still missing."""
        last_month = add_months(self.today.replace(day=1), -1)
        reports = MonthlyReport.objects.filter(project__district=world.district, month=last_month)
        filed = set(reports.values_list("project_id", flat=True))
        missing = [
            p.name
            for p in world.plans
            if p.stage in REPORTING_STAGES
            and p.dates()[Stage.SIGNED] < last_month
            and p.project.pk not in filed
        ]
        if not missing:
            return []
        late = N.HAND_MESSAGES["missing_late" if self.today.day > 5 else "missing_due"]
        title = N.HAND_MESSAGES["missing"].format(
            count=len(missing), year=last_month.year, month=last_month.month, late=late
        )
        body = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
        bureau = world.role_users[Role.BUREAU]
        return [(bureau, "monthly_report.missing", title, body, None, self.today)]

    @staticmethod
    def _url(plan) -> str:
        try:
            return plan.project.get_absolute_url() if plan else ""
        except (NoReverseMatch, ImportError):  # the project pages are not installed
            return ""
