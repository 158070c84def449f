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
from django.db.models import Sum
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.choices import (
    CLOSED_STATUSES,
    NOT_DISTRICT_PARTIES,
    OPEN_STATUSES,
    CaseStatus,
    PauseKind,
)
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem, CasePause
from zhaoshang.approvals.permissions import can_approve_extension
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core.models import Counter as Sequence
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo.builder import ACCOUNT_USERNAMES, DEMO_CODE, SECOND_CODE, demo_counts
from zhaoshang.demo.names import PASSWORD
from zhaoshang.enterprises.creditcode import validate_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.notifications.models import Notification
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
from zhaoshang.workdays.models import CalendarYear

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


# ---------------------------------------------------------------------------------------------
# Approvals (限时办结, 绿色通道)


def _cases(code=None):
    codes = [code] if code else [DEMO_CODE, SECOND_CODE]
    return ApprovalCase.objects.filter(district__code__in=codes)


def test_both_catalogues_are_seeded(demo_db):
    for code in (DEMO_CODE, SECOND_CODE):
        items = ApprovalItem.objects.filter(district__code=code)
        assert items.filter(in_green_channel=True).count() == 17
        water = items.get(code="XM-08")  # the shipped 取水许可, with its statutory limit
        # SPEC §20: the law's 45 working days on record, promised in 10 under the special
        # procedure.
        assert (water.time_limit, water.statutory_limit, water.special_procedure) == (10, 45, True)
        assert (water.level, water.in_green_channel) == ("district", False)
        assert list(water.prerequisites.values_list("code", flat=True)) == ["XM-01"]
        assert water.department == items.get(code="XM-07").department
    # Water-drawing plants have their 取水许可 cases. In the demo district the city approved
    # it until it delegated it (下放) after the last application it received: those cases
    # keep the law's 45 working days they were registered with and went to the city's water
    # bureau; some accepted these weeks run into next year.
    water_cases = _cases(DEMO_CODE).filter(item__code="XM-08")
    assert water_cases.count() >= 3
    assert set(water_cases.values_list("time_limit", flat=True)) == {45}
    assert set(water_cases.exclude(reported_on=None).values_list("reported_to", flat=True)) == {
        "市水利局"
    }
    assert water_cases.filter(due_is_provisional=True).count() >= 3


def test_every_handling_department_has_a_handler(demo_db):
    for code in (DEMO_CODE, SECOND_CODE):
        for item in ApprovalItem.objects.filter(district__code=code).select_related("department"):
            handlers = User.objects.filter(
                department=item.department, groups__name=Role.DEPARTMENT, is_active=True
            )
            assert handlers.exists(), (code, item.department.name)
    works = User.objects.get(username="department").department
    assert ApprovalItem.objects.filter(department=works).count() >= 5


def test_the_department_worklist_shows_every_light(demo_db, client):
    client.force_login(User.objects.get(username="department"))
    url = reverse("approvals:worklist")
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["own_department"]
    assert response.context["count"] >= 30
    for light in ("green", "yellow", "red", "paused"):
        count = client.get(url, {"light": light}).context["count"]
        assert count >= 1, light


def test_open_cases_come_in_every_state(demo_db):
    today = demo_db.today
    cases = _cases().with_days_left(today)
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    lights = Counter(cases.open().values_list("light", flat=True))
    assert lights["green"] >= 20 and lights["yellow"] >= 3 and lights["red"] >= 3
    open_pauses = CasePause.objects.filter(case__in=cases, ended_on=None)
    assert open_pauses.filter(kind=PauseKind.SUPPLEMENT, case__status="supplement").exists()
    assert open_pauses.filter(kind__in=["expert_review", "site_survey", "hearing"]).exists()
    assert open_pauses.filter(kind=PauseKind.PLEDGE_OVERDUE).exists()
    assert CasePause.objects.filter(case__in=cases, ended_on__isnull=False).count() >= 10
    assert cases.open().filter(extended=True).exists()
    assert cases.filter(transfers__isnull=False).count() >= 2
    reported = cases.filter(status=CaseStatus.REPORTED)
    # 环评 to the city's ecology bureau; 取水许可, until the city delegated it, to its water bureau
    assert reported.exists() and set(reported.values_list("reported_to", flat=True)) == {
        "市生态环境局",
        "市水利局",
    }
    assert cases.open().exclude(pledge_materials="").exists()
    assert cases.filter(status=CaseStatus.RETURNED).exclude(return_reason="").count() >= 2
    assert cases.filter(status=CaseStatus.DONE).count() >= 500


def test_every_due_date_is_the_rule(demo_db):
    cases = _cases().select_related("item", "joint_decision").prefetch_related("pauses")
    for case in cases:
        due = approvals.compute_due(case)
        assert (case.due_on, case.due_is_provisional) == (due.date, due.provisional), case.pk
        assert case.paused == any(p.ended_on is None for p in case.pauses.all()), case.pk


def test_some_due_dates_fall_in_the_unpublished_year(demo_db):
    next_year = demo_db.today.year + 1
    assert not CalendarYear.objects.filter(year=next_year, status="published").exists()
    provisional = _cases().filter(due_is_provisional=True)
    assert provisional.count() >= 3
    assert {d.year for d in provisional.values_list("due_on", flat=True)} == {next_year}
    assert (
        not _cases()
        .filter(due_on__year=next_year, due_is_provisional=False)
        .exclude(time_limit_unit="natural_day")
        .exists()
    )


def test_case_histories_keep_to_the_rules(demo_db):
    today = demo_db.today
    cases = (
        _cases()
        .select_related("item", "project", "extension_approver")
        .prefetch_related("pauses", "transfers", "item__prerequisites")
    )
    done = {
        (c.project_id, c.item_id): c.done_on
        for c in _cases().filter(status=CaseStatus.DONE).only("project", "item", "done_on")
    }
    for case in cases:
        # An application that reached the window complete before the service center
        # registered it (``applied_on``): its materials were complete from that day, and the
        # working days up to registration are the service center's (SPEC §20).
        steps = [
            case.applied_on or case.registered_on,
            case.materials_complete_on,
            case.accepted_on,
            case.done_on or case.returned_on,
        ]
        present = [d for d in steps if d]
        assert present == sorted(present), case.pk
        assert all(d < today for d in present), case.pk
        assert (case.applied_on or case.registered_on) >= case.project.signed_on, case.pk
        if case.applied_on:
            assert case.applied_on <= case.registered_on, case.pk
        if case.accepted_on:
            assert case.registered_on <= case.accepted_on, case.pk
        if case.accepted_on:
            assert case.handler_id and case.materials_complete_on, case.pk
            for prerequisite in case.item.prerequisites.all():
                finished = done.get((case.project_id, prerequisite.pk))
                if case.joint_decision_id and finished is None:
                    continue  # 同时审批: decided together
                assert finished and finished <= case.accepted_on, (case.pk, prerequisite.code)
        if case.status in CLOSED_STATUSES:
            assert not case.paused
        if case.status == CaseStatus.DONE and case.reported_on:
            assert case.higher_answer
        if case.extended:
            assert case.extension_reason and case.extended_on
            assert can_approve_extension(case.extension_approver, case.district_id)
        for pause in case.pauses.all():
            assert pause.reason and pause.started_on >= (case.accepted_on or case.registered_on)
            if pause.ended_on:
                assert pause.started_on <= pause.ended_on < today
        for transfer in case.transfers.all():
            assert transfer.reason and transfer.from_department_id != transfer.to_department_id
        assert DomainEvent.objects.for_object(case).filter(verb="case.registered").count() == 1
    assert not DomainEvent.objects.filter(occurred_at__gt=timezone.now()).exists()


def test_green_channel_projects_have_every_green_channel_item(demo_db):
    projects = Project.objects.filter(
        district__code__in=[DEMO_CODE, SECOND_CODE], is_green_channel=True, signed_on__isnull=False
    ).exclude(stage=Stage.TERMINATED)
    assert projects.count() >= 10
    for project in projects:
        green = set(
            ApprovalItem.objects.filter(
                district=project.district, in_green_channel=True
            ).values_list("pk", flat=True)
        )
        cases = project.approval_cases.filter(item__in=green).select_related("agent")
        assert set(cases.values_list("item", flat=True)) == green, project.code
        # 统一受理: registered at once, each carried by a service center agent
        assert len(set(cases.values_list("registered_on", flat=True))) == 1, project.code
        for case in cases:
            assert case.agent.groups.filter(name=Role.SERVICE_CENTER).exists()
            assert case.agent.district_id == project.district_id
    demo_agent = User.objects.get(username="service_center")
    assert ApprovalCase.objects.filter(agent=demo_agent).exists()


def test_a_joint_decision_gives_one_due_date(demo_db):
    cases = _cases().filter(joint_decision__isnull=False).select_related("joint_decision")
    assert cases.count() >= 2
    decision = cases[0].joint_decision
    together = list(decision.cases.all())
    assert len(together) >= 2
    assert {c.due_on for c in together} == {decision.common_due_on}
    assert all(c.status in OPEN_STATUSES for c in together)
    items = {c.item_id for c in together}
    assert any(set(c.item.prerequisites.values_list("pk", flat=True)) & items for c in together)


def test_overdue_cases_are_in_the_ledger(demo_db):
    today = demo_db.today
    cases = _cases()
    recorded = set(
        LedgerEntry.objects.filter(
            district__code__in=[DEMO_CODE, SECOND_CODE], rule_code=RuleCode.OVERDUE_CASE
        ).values_list("evidence_id", flat=True)
    )
    entries = dict(
        LedgerEntry.objects.filter(
            district__code__in=[DEMO_CODE, SECOND_CODE], rule_code=RuleCode.OVERDUE_CASE
        ).values_list("evidence_id", "department_id")
    )
    overdue = cases.filter(status__in=OPEN_STATUSES, paused=False, due_on__lt=today)
    late = [c for c in cases.filter(status=CaseStatus.DONE) if c.done_on > c.due_on]
    assert overdue.count() >= 3 and len(late) >= 10
    # Whose days (SPEC §20, approvals/services/attribution.py): a late case's entry goes to
    # the department answering for its lateness — the holder, a prerequisite's department
    # or the service center — and none is written when no district department answers
    # (the higher authority's days after 上报, the enterprise's, a pause).
    for case in overdue.select_related("item", "project", "department", "registered_by"):
        result = approvals.attribute(case, today)
        if result.answerable:
            assert entries.get(case.pk) == result.late_department_id, case.pk
        else:
            assert result.late_party in NOT_DISTRICT_PARTIES, case.pk
    for case in late:
        assert case.late_party, case.pk  # attributed when it was done
        if case.late_department_id:
            assert entries.get(case.pk) == case.late_department_id, case.pk
        else:
            assert case.late_party in NOT_DISTRICT_PARTIES, case.pk
    answered = [c for c in late if c.late_department_id]
    assert len(answered) >= 10 and len(answered) < len(late)  # and some nobody's in the district
    assert recorded <= set(cases.values_list("pk", flat=True))
    # the demo is what the daily scans leave behind: running them again writes nothing
    assert approvals.scan_overdue(today) == 0
    assert approvals.scan_pledges(today) == (0, 0)
