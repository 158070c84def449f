"""load_demo: the demo city loads, is complete and consistent, and keeps to its rules
(idempotent, deterministic, refused under production settings).

The demo is loaded once for the whole package (conftest.py, loading.py), inside a transaction
that is rolled back when the package is done, so the rest of the suite never sees it. The
test world of the root conftest.py uses the role names (admin, bureau …) for its own users;
they are renamed while the demo is loaded. The tests that load it again (a second run, a
reset) do so inside their own savepoint.

The package runs on a late-November day (DEMO_NOW), as the demo is loaded in the weeks when
next year's holiday arrangement is not yet published: due dates reaching into that year are
provisional.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import re
from collections import Counter, defaultdict
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum
from django.test import RequestFactory
from django.utils import timezone

from zhaoshang.approvals.models import ApprovalCase, CasePause
from zhaoshang.core.models import Counter as Sequence
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo.builder import ACCOUNT_USERNAMES, DEMO_CODE, SECOND_CODE, demo_counts
from zhaoshang.demo.city import DISTRICT_CODES
from zhaoshang.demo.names import PASSWORD
from zhaoshang.demo.reset import purge_districts
from zhaoshang.enterprises.creditcode import validate_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.notifications.models import Notification
from zhaoshang.ops.jobs import CALENDAR_VERB
from zhaoshang.org.models import Department, District, Industry, Park, User, WorkingGroup, Zone
from zhaoshang.projects.choices import (
    EXIT_STAGES,
    REPORTING_STAGES,
    STAGE_DATE_FIELDS,
    STAGE_EVIDENCE,
    TEAM_ROLE_RANK,
    Level,
    ProjectKind,
    Stage,
    TeamRole,
)
from zhaoshang.projects.models import (
    DocumentVersion,
    MonthlyReport,
    Project,
)
from zhaoshang.projects.services import check_stage_move
from zhaoshang.testing import SHANGHAI
from zhaoshang.testing.database import fingerprint

DEMO_NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)  # a Thursday

ACCOUNTS = {
    "admin": (Role.ADMIN, DEMO_CODE),
    "bureau": (Role.BUREAU, DEMO_CODE),
    "leader": (Role.LEADER, DEMO_CODE),
    "department": (Role.DEPARTMENT, DEMO_CODE),
    "service_center": (Role.SERVICE_CENTER, DEMO_CODE),
    "park": (Role.PARK, DEMO_CODE),
    "supervisor": (Role.SUPERVISOR, DEMO_CODE),
    "enterprise": (Role.ENTERPRISE, DEMO_CODE),
    "city": (Role.CITY, None),
    "bureau2": (Role.BUREAU, SECOND_CODE),
    "leader2": (Role.LEADER, SECOND_CODE),
    "department2": (Role.DEPARTMENT, SECOND_CODE),
    "service_center2": (Role.SERVICE_CENTER, SECOND_CODE),
    "park2": (Role.PARK, SECOND_CODE),
    "supervisor2": (Role.SUPERVISOR, SECOND_CODE),
    "enterprise2": (Role.ENTERPRISE, SECOND_CODE),
}


def _digest() -> str:
    """A fingerprint of the generated data that does not depend on primary keys."""
    h = hashlib.sha256()
    rows = Project.objects.order_by("district__code", "code").values_list(
        "district__code", "code", "name", "stage", "total_investment", "signed_on", "condition"
    )
    for row in rows:
        h.update(repr(row).encode())
    reports = MonthlyReport.objects.order_by("project__district__code", "project__code", "month")
    for row in reports.values_list(
        "project__code", "month", "investment_cumulative", "submitted_at"
    ):
        h.update(repr(row).encode())
    cases = ApprovalCase.objects.order_by("district__code", "project__code", "item__code")
    for row in cases.values_list(
        "project__code",
        "item__code",
        "department__name",
        "status",
        "materials_complete_on",
        "accepted_on",
        "due_on",
        "done_on",
        "paused",
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def _projects(code=DEMO_CODE):
    return Project.objects.filter(district__code=code)


def test_refuses_to_run_with_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo", stdout=io.StringIO())


def test_the_accounts_table_covers_every_fixed_account():
    assert set(ACCOUNTS) == set(ACCOUNT_USERNAMES)


def test_summary_lists_counts_and_accounts(demo_db):
    assert "Loaded the demo city" in demo_db.output
    for username in ACCOUNTS:
        assert re.search(rf"^\s+{username}\s", demo_db.output, re.MULTILINE), username
    assert PASSWORD in demo_db.output


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_every_role_account_logs_in_with_the_demo_password(demo_db, username):
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username=username, password=PASSWORD)
    assert user is not None, username
    role, district = ACCOUNTS[username]
    assert set(user.groups.values_list("name", flat=True)) == {role}
    assert (user.district.code if user.district else None) == district
    assert user.is_active and not user.is_superuser
    assert user.is_staff == (username == "admin")


def test_role_accounts_sit_where_their_role_says(demo_db):
    users = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS)}
    assert users["department"].department.name.startswith("区建设局")
    assert users["service_center"].department.name == "区政务服务中心"
    assert users["supervisor"].department.kind == "supervision"
    assert users["park"].park is not None
    assert users["park"].park.committee == users["park"].department
    assert users["leader"].rank == "county"
    enterprise = users["enterprise"].enterprise
    assert enterprise.contact_name == users["enterprise"].real_name
    assert enterprise.projects.count() >= 2


def test_second_run_changes_nothing(demo_db):
    before = demo_counts()
    fingerprint = _digest()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert demo_counts() == before
    assert _digest() == fingerprint


def test_migrate_first_runs_the_migrations_in_the_same_command(demo_db):
    """``make demo`` runs ``load_demo --migrate``: the migration (here: nothing left to
    apply) and then the load (here: nothing to do), one process."""
    before = demo_counts()
    out = io.StringIO()
    call_command("load_demo", "--migrate", stdout=out)
    text = out.getvalue()
    assert text.index("Migrating the database...") < text.index("No migrations to apply")
    assert text.index("No migrations to apply") < text.index("already loaded")
    assert demo_counts() == before


def test_reference_data_of_the_demo_district(demo_db):
    district = District.objects.get(code=DEMO_CODE)
    assert district.city == "锦川市"
    assert Zone.objects.filter(district=district).count() == 2
    parks = Park.objects.filter(district=district)
    assert parks.count() == 6
    assert all(p.outline and p.outline["type"] == "Polygon" and p.committee for p in parks)
    departments = Department.objects.filter(district=district)
    assert 22 <= departments.count() <= 30
    names = set(departments.values_list("name", flat=True))
    assert {
        "区政务服务中心",
        "区规划局",
        "区招商局",
        "区目标绩效督查室",
        "区委督查室",
        "区效能办",
    } <= names
    assert set(departments.values_list("kind", flat=True)) == {
        "government",
        "utility",
        "park_committee",
        "supervision",
    }
    industries = Industry.objects.filter(district=district)
    assert Counter(industries.values_list("category", flat=True)) == {"leading": 3, "emerging": 3}
    assert all(i.gbt_class and i.gbt_class.level == "division" for i in industries)
    groups = WorkingGroup.objects.filter(district=district)
    leading = groups.get(kind="leading_group")
    assert leading.name == "招商引资领导小组" and leading.lead.rank == "county"
    assert {g.name for g in groups} >= {
        "招大引强项目工作组",
        "基础设施保障工作组",
        "用地保障工作组",
        "资金保障工作组",
    }
    assert groups.filter(kind="industry").count() == 6
    assert all(g.parent == leading and g.lead for g in groups.exclude(pk=leading.pk))


def test_every_stage_park_and_industry_has_projects(demo_db):
    projects = _projects()
    assert 110 <= projects.count() <= 130
    assert set(projects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(projects.values_list("park", flat=True)) == set(
        Park.objects.filter(district__code=DEMO_CODE).values_list("pk", flat=True)
    )
    assert set(projects.exclude(industry=None).values_list("industry", flat=True)) == set(
        Industry.objects.filter(district__code=DEMO_CODE).values_list("pk", flat=True)
    )
    assert set(projects.values_list("level", flat=True)) == set(Level.values)
    infrastructure = projects.filter(kind=ProjectKind.INFRASTRUCTURE)
    assert infrastructure.count() == 4
    assert {p.working_group.kind for p in infrastructure} == {"infrastructure"}
    assert projects.filter(condition="delayed").exists()
    assert projects.filter(condition="stopped").exclude(condition_reason="").exists()


def test_investment_figures_are_consistent(demo_db):
    for p in _projects():
        assert p.fixed_asset_investment <= p.total_investment
        if p.level == Level.MAJOR:
            assert p.total_investment >= 50000
            assert p.is_green_channel
        elif p.level == Level.KEY:
            assert 10000 <= p.total_investment < 50000
        else:
            assert p.total_investment < 10000
        assert p.land_area > 0
        if p.kind == ProjectKind.INVESTMENT and p.stage != Stage.LEAD:
            assert p.designed_output and p.committed_tax and p.committed_jobs
        if p.signed_on:
            assert p.planned_start_on and p.planned_completion_on and p.planned_production_on
            assert p.planned_start_on <= p.planned_completion_on <= p.planned_production_on


def test_all_credit_codes_are_valid_and_unique(demo_db):
    enterprises = Enterprise.objects.filter(district__code__in=[DEMO_CODE, SECOND_CODE])
    assert 55 <= enterprises.filter(district__code=DEMO_CODE).count() <= 70
    assert set(enterprises.values_list("origin", flat=True)) == {
        "local",
        "in_province",
        "out_of_province",
        "abroad",
    }
    for enterprise in enterprises:
        assert validate_credit_code(enterprise.credit_code) == enterprise.credit_code
        try:
            enterprise.full_clean(validate_unique=False)
        except ValidationError as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{enterprise.name}: {exc}")
    codes = list(enterprises.values_list("credit_code", flat=True))
    assert len(codes) == len(set(codes))


def test_every_project_from_signed_on_has_a_full_team_obeying_the_rank_rules(demo_db):
    projects = Project.objects.filter(district__code__in=[DEMO_CODE, SECOND_CODE])
    signed = projects.filter(signed_on__isnull=False).prefetch_related("team_members__user")
    assert signed.count() >= 80
    leading_groups = 0
    for project in signed:
        members = list(project.team_members.all())
        roles = Counter(m.role for m in members)
        for role in (TeamRole.MANAGER, TeamRole.SECRETARY, TeamRole.SERVICE_OFFICER):
            assert roles[role] == 1, (project.code, role)
        for member in members:
            if member.role in TEAM_ROLE_RANK:
                assert member.user.rank == TEAM_ROLE_RANK[member.role], (project.code, member)
            assert member.user.district_id == project.district_id
            assert member.user.enterprise_id is None
            assert member.since and member.since >= project.signed_on
        if roles[TeamRole.LEADING_GROUP]:
            assert project.level == Level.MAJOR
            leading_groups += 1
    assert leading_groups >= 3
    unsigned = projects.filter(signed_on__isnull=True, stage__in=[Stage.LEAD, Stage.TERMINATED])
    assert not any(p.team_members.exists() for p in unsigned)


def test_stage_history_follows_the_stage_rules(demo_db):
    today = demo_db.today
    projects = _projects().prefetch_related("stage_events__evidence__document__material_type")
    backward = 0
    for project in projects:
        # A project is registered as a lead; each move after that is a stage event.
        events = list(project.stage_events.all())
        current = SimpleNamespace(stage=Stage.LEAD)
        latest, dates = timezone.localdate(project.created_at), {}
        for event in events:
            assert event.from_stage == current.stage
            assert check_stage_move(current, event.to_stage, event.reason) == event.is_backward
            if event.is_backward:
                backward += 1
                assert event.reason
            else:
                assert event.occurred_on >= latest, project.code
                latest = event.occurred_on
                evidence = {v.document.material_type.code for v in event.evidence.all()}
                assert evidence == set(STAGE_EVIDENCE[event.to_stage]), (project.code, event)
                dates[event.to_stage] = event.occurred_on
            assert event.occurred_on < today
            current.stage = event.to_stage
        assert current.stage == project.stage
        for stage, field in STAGE_DATE_FIELDS.items():
            if getattr(project, field) is not None:
                assert getattr(project, field) == dates[stage], (project.code, field)
        if project.stage in EXIT_STAGES:
            assert events[-1].reason
    assert backward >= 2


def test_documents_are_versioned_files_in_storage(demo_db):
    versions = DocumentVersion.objects.filter(document__project__district__code=DEMO_CODE)
    assert versions.filter(number=2).count() >= 5
    for version in versions.order_by("pk")[::97]:
        with default_storage.open(version.file.name, "rb") as handle:
            data = handle.read()
        assert data[:5] == b"%PDF-" or data[:8] == b"\x89PNG\r\n\x1a\n"
        assert hashlib.sha256(data).hexdigest() == version.sha256
        assert version.size == len(data)
        assert version.uploaded_at.date() < demo_db.today


def test_codes_follow_the_counter(demo_db):
    for code in (DEMO_CODE, SECOND_CODE):
        projects = _projects(code)
        numbers = defaultdict(list)
        for project in projects:
            match = re.fullmatch(r"ZS-(\d{4})-(\d{4})", project.code)
            assert match, project.code
            assert int(match[1]) == timezone.localtime(project.created_at).year
            numbers[match[1]].append(int(match[2]))
        for year, taken in numbers.items():
            assert sorted(taken) == list(range(1, len(taken) + 1))
            counter = Sequence.objects.get(district__code=code, key=f"project-{year}")
            assert counter.value == len(taken)


def test_monthly_reports_and_funds_add_up(demo_db):
    today = demo_db.today
    this_month = today.replace(day=1)
    reports = MonthlyReport.objects.filter(project__district__code=DEMO_CODE).select_related(
        "project"
    )
    assert reports.count() >= 800
    by_project = defaultdict(list)
    for report in reports.order_by("project", "month"):
        by_project[report.project].append(report)
    late = 0
    for project, rows in by_project.items():
        assert project.signed_on and rows[0].month > project.signed_on.replace(day=1)
        assert rows[-1].month < this_month
        assert rows[0].month >= this_month.replace(year=this_month.year - 2)
        for previous, report in zip(rows, rows[1:], strict=False):
            assert report.investment_this_month >= 0
            if report.is_correction:  # goes back from the month before, with its reason
                assert report.correction_reason
                assert report.cumulative_before == previous.investment_cumulative
                continue
            assert (
                report.investment_cumulative
                == previous.investment_cumulative + report.investment_this_month
            )
        for report in rows:
            assert report.image_progress
            assert timezone.localdate(report.submitted_at) < today
            late += report.is_late
        assert rows[-1].investment_cumulative <= project.total_investment
    assert late >= 10
    assert reports.exclude(problems="").exists()
    funded = (
        _projects().filter(stage__in=REPORTING_STAGES).annotate(funds_total=Sum("funds__amount"))
    )
    for project in funded:
        if project.signed_on < today - datetime.timedelta(days=90):
            assert project.funds_total, project.code
        assert (project.funds_total or 0) <= project.total_investment
        funds = project.funds.all()
        assert all(f.received_on < today and f.received_on >= project.signed_on for f in funds)


def test_home_pages_have_activity_and_inboxes(demo_db):
    district = District.objects.get(code=DEMO_CODE)
    events = DomainEvent.objects.filter(district=district)
    assert events.filter(verb="project.stage_changed").count() >= 300
    assert events.order_by(
        "-occurred_at"
    ).first().occurred_at.date() > demo_db.today - datetime.timedelta(days=30)
    assert not events.filter(occurred_at__gt=timezone.now()).exists()
    for username in ("bureau", "leader"):
        assert Notification.objects.filter(recipient__username=username, read_at=None).count() >= 2


def test_inboxes_hold_this_weeks_news_not_every_message_ever_sent(demo_db):
    """Older messages were read (receipts and instructions keep their own read state); of
    this morning's escalations the newest five per person wait."""
    week = timezone.now() - datetime.timedelta(days=8)
    for user in User.objects.filter(district__code__in=(DEMO_CODE, SECOND_CODE)):
        unread = Notification.objects.filter(recipient=user, read_at=None)
        old = unread.filter(created_at__lt=week).exclude(
            verb__in=("receipt.filed", "instruction.written")
        )
        assert not old.exists(), (user.username, list(old.values_list("verb", flat=True)))
        assert unread.filter(verb="signal.escalated").count() <= 5, user.username
    for note in Notification.objects.filter(read_at__isnull=False)[:500]:
        assert note.created_at <= note.read_at <= timezone.now()
    assert Notification.objects.filter(
        recipient__username="bureau", read_at=None, verb="signal.escalated"
    ).exists()


def test_second_district_is_small_and_isolated(demo_db):
    second = District.objects.get(code=SECOND_CODE)
    projects = _projects(SECOND_CODE)
    assert 10 <= projects.count() <= 14
    assert Park.objects.filter(district=second).count() == 1
    assert Zone.objects.filter(district=second).count() == 1
    assert Department.objects.filter(district=second).count() >= 5
    assert Enterprise.objects.filter(district=second).count() >= 5
    bureau2 = User.objects.get(username="bureau2")
    bureau = User.objects.get(username="bureau")
    city = User.objects.get(username="city")
    assert set(Project.objects.visible_to(bureau2)) == set(projects)
    assert not Project.objects.visible_to(bureau).filter(district=second).exists()
    assert Project.objects.visible_to(city).filter(district=second).count() == projects.count()
    enterprise = User.objects.get(username="enterprise")
    assert set(Project.objects.visible_to(enterprise)) == set(
        Project.objects.filter(enterprise=enterprise.enterprise)
    )


def _report_files() -> set[str]:
    from zhaoshang.reports.models import IssuedReport

    rows = IssuedReport.objects.values_list("xlsx", "docx", "pdf")
    return {name for row in rows for name in row if name}


def _media_files() -> dict[str, bytes]:
    from pathlib import Path

    root = Path(default_storage.location)
    return {str(f.relative_to(root)): f.read_bytes() for f in root.rglob("*") if f.is_file()}


@pytest.fixture
def _shared_media_kept():
    """The reset deletes the shared load's stale files on commit, but the test's rollback
    brings the shared load's rows back: its files are put back for the tests after it."""
    kept = _media_files()
    yield
    for name, data in kept.items():
        if not default_storage.exists(name):
            path = default_storage.path(name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)


def _left_and_gone(found: dict, blank: dict) -> dict:
    """Per table, the rows that are in ``found`` and not in ``blank`` (left) and the other
    way round (gone), a few of each: what a failed comparison of two fingerprints shows.

    Left alone: what the morning's jobs that are no district's own did for everyone — the
    working-day index carried into the days the load reached (the calendar, shared by every
    district) and the calendar job's notice that next year's holidays are unpublished, sent
    to every administrator (``ops.jobs.calendar_check``)."""
    differ = {}
    for label in sorted(set(found) | set(blank)):
        now, before = found.get(label, Counter()), blank.get(label, Counter())
        left = [row for row in now - before if not _shared(label, row)]
        gone = before - now
        if left or gone:
            differ[label] = {"left": sorted(left)[:3], "gone": sorted(gone)[:3]}
    return differ


def _shared(label: str, row: str) -> bool:
    """A row the morning's shared jobs write for everyone (see ``_left_and_gone``)."""
    if label == "workdays.Day":
        return True
    return label == "notifications.Notification" and repr(CALENDAR_VERB) in row


def test_the_reset_removes_every_row_and_file_of_the_demo(demo_db):
    """``load_demo --reset`` first removes the demo (``demo.reset.purge_districts``), then
    loads it as into an empty database: the removal leaves every table as it was before the
    load — no record, person, history row, event or job run of the demo left, and nothing
    else touched — and names every file the demo stored, for deletion once committed."""
    stored = set(_media_files())
    assert stored and _report_files() <= stored
    files = purge_districts(DISTRICT_CODES)
    differ = _left_and_gone(fingerprint(), demo_db.blank)
    assert not differ, "\n".join(f"{label}: {rows}" for label, rows in differ.items())
    assert set(files) == stored


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the reload after the removal, on SQLite only: SQLite gives a removed row's key to "
    "the next row (a stale file or cache keyed by it would be the new row's); on PostgreSQL "
    "the removal leaving the tables as before the load (the test above) and the shared load "
    "cover it, and a second load is minutes of the suite",
)
def test_reset_reloads_the_same_data(
    demo_db, django_capture_on_commit_callbacks, _shared_media_kept
):
    before = demo_counts()
    fingerprint = _digest()
    old_files = _report_files()
    assert old_files and all(default_storage.exists(name) for name in old_files)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the stale files go on commit
        call_command("load_demo", "--reset", stdout=out)
    assert "Reloaded the demo city" in out.getvalue()
    assert demo_counts() == before
    assert _digest() == fingerprint
    assert authenticate(RequestFactory().post("/"), username="bureau", password=PASSWORD)
    # the history of the old cases' pauses went with them
    assert not CasePause.history.exclude(case_id__in=ApprovalCase.objects.values("pk")).exists()
    # the old issued reports' files went with them; the new ones are stored
    new_files = _report_files()
    assert all(default_storage.exists(name) for name in new_files)
    assert not any(default_storage.exists(name) for name in old_files - new_files)
