"""The home's parts around the sections read a few rows off an index (``homes/page.py``);
they show what the plain definition shows: the projects a person serves with their lights
(``project_light``, red first, then the latest updated), the recent activity — after each
kind of change."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Case, IntegerField, Value, When

from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import page, team

# The definition the page's order follows.
LIGHT_RANK = Case(
    When(light=Light.RED, then=Value(0)),
    When(light=Light.YELLOW, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
# (and the other district's: a statement kept for one district's people is run again with
# another's district and person, ``homes.district_rows``)
WHO = ["manager", "leader", "department", "park", "supervisor", "bureau", "secretary"]
WHO += ["manager_b", "leader_b", "department_b", "bureau_b", "secretary_b", "park_b"]


def _live(user) -> list[tuple[int, str]]:
    """The projects the user serves (a park user: the park's), each with its light, red
    first, then the latest updated — the home's "My projects" as it was computed live."""
    from zhaoshang.core import roles
    from zhaoshang.core.roles import Role
    from zhaoshang.monitoring.lights import project_light
    from zhaoshang.projects.models import Project

    visible = Project.objects.visible_to(user)
    mine = visible if roles.has_role(user, Role.PARK) and user.park_id else visible.of_user(user)
    rows = (
        mine.distinct()
        .annotate(light=project_light(), light_rank=LIGHT_RANK)
        .order_by("light_rank", "-updated_at", "-id")[: page.MY_PROJECTS_SHOWN]
    )
    return [(p.pk, p.light) for p in rows]


def _fast(user) -> list[tuple[int, str]]:
    from zhaoshang.core import roles
    from zhaoshang.core.roles import Role
    from zhaoshang.projects.models import Project

    park = roles.has_role(user, Role.PARK) and user.park_id
    rows = page.my_projects(
        None if park else user,
        Project.objects.visible_to(user),
        viewer=user,
    )
    return [(p.pk, str(p.light)) for p in rows]


def _signal(project, n: int, light: str):
    from django.contrib.contenttypes.models import ContentType

    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.monitoring.models import Signal

    return Signal.objects.create(
        district_id=project.district_id,
        subject="case",
        content_type=ContentType.objects.get_for_model(ApprovalCase),
        object_id=97_000 + n,
        project=project,
        title=f"事项{n}",
        url="/",
        due_on=datetime.date(2026, 6, 1),
        light=light,
        since=datetime.date(2026, 6, 1),
        level=0,
        checked_on=datetime.date(2026, 6, 15),
    )


def _projects(world, count: int) -> list:
    """``count`` more projects of district a, alternately in park 1 and park 2, served in
    turn by the manager's team, as the manager's designated leader, paired with the works
    department, or by no one; updated at distinct and tied times."""
    from zhaoshang.projects.choices import TeamRole
    from zhaoshang.projects.models import Project, ProjectTeamMember

    template = Project.objects.get(pk=world.project1_a.pk)
    made = []
    for n in range(count):
        p = Project.objects.get(pk=template.pk)
        p.pk = None
        p.code, p.name = f"MINE{n:03d}", f"服务项目{n}"
        p.park = world.park1_a if n % 2 else world.park2_a
        p.designated_leader = world.user_manager if n % 4 == 1 else None
        p.save()
        if n % 4 == 0:
            ProjectTeamMember.objects.create(
                project=p, user=world.user_manager, role=TeamRole.MANAGER
            )
        if n % 4 == 2:
            p.paired_departments.add(world.dept_works_a)
        stamp = datetime.datetime(2026, 6, 1 + n % 5, tzinfo=datetime.UTC)
        Project.objects.filter(pk=p.pk).update(updated_at=stamp)  # ties within a day
        made.append(p)
    return made


def _check(world):
    for who in WHO:
        user = getattr(world, f"user_{who}")
        assert _fast(user) == _live(user), who


@pytest.mark.parametrize(
    "few,many", [(0, 0), (0, 2000), (200, 2000)], ids=["many-served", "some-served", "few-served"]
)
def test_my_projects_are_the_live_order_after_each_change(world, monkeypatch, few, many):
    """Through lights lit and put out, a project updated, a person joining a team and a
    department paired: the same projects, lights and order as the live definition, whether
    the green ones are read from the district's or from the few the person serves."""
    from zhaoshang.monitoring.models import Signal
    from zhaoshang.projects.choices import TeamRole
    from zhaoshang.projects.models import Project, ProjectTeamMember

    monkeypatch.setattr(page, "FEW", few)
    monkeypatch.setattr(page, "MANY", many)
    made = _projects(world, 24)
    _check(world)
    for n, p in enumerate(made[:14]):  # red, yellow, both, and more than a page of each
        _signal(p, n, Light.RED if n % 3 else Light.YELLOW)
        if n % 5 == 0:
            _signal(p, 100 + n, Light.YELLOW)
    _check(world)
    Signal.objects.filter(project__in=made[:6], light=Light.RED).delete()  # put out
    _check(world)
    Project.objects.filter(pk=made[20].pk).update(
        updated_at=datetime.datetime(2026, 6, 14, tzinfo=datetime.UTC)
    )
    _check(world)
    ProjectTeamMember.objects.create(
        project=made[3], user=world.user_department, role=TeamRole.SECRETARY
    )
    made[7].paired_departments.add(world.user_department.department)
    _check(world)


def test_recent_activity_is_the_latest_project_events(world):
    from zhaoshang.core.audit import log_event
    from zhaoshang.core.models import DomainEvent
    from zhaoshang.org.models import District

    for n in range(14):
        log_event(world.user_bureau, "project.updated", world.project1_a, summary=f"改{n}")
    log_event(world.user_bureau, "project.deleted", world.project2_a, summary="删")
    log_event(world.user_bureau, "import.done", District.objects.get(pk=world.district_a.pk))
    for who in ("bureau", "city"):
        user = getattr(world, f"user_{who}")
        live = list(
            DomainEvent.objects.visible_to(user)
            .filter(
                verb__startswith="project.",
                content_type__app_label="projects",
                content_type__model="project",
            )
            .exclude(verb="project.deleted")[: page.EVENTS_SHOWN]
        )
        shown = page.recent_events(user)
        assert [e.pk for e in shown] == [e.pk for e in live], who
        assert {e.project_name for e in shown} == {world.project1_a.name}


def _team_live(user) -> list[tuple]:
    """The team section's projects as they were read live: every held project with its
    next open milestone (date and name) and whether last month's report is missing."""
    from django.db.models import Count, Exists, F, OuterRef, Subquery, Window

    from zhaoshang.agreements.models import Milestone
    from zhaoshang.core import clock
    from zhaoshang.projects.models import Project

    today = clock.today()
    nxt = Milestone.objects.open().filter(commitment__project=OuterRef("pk"))
    owing = Project.objects.owing_report(today).filter(pk=OuterRef("pk"))
    rows = (
        Project.objects.visible_to(user)
        .held_by(user)
        .annotate(
            report_missing=Exists(owing),
            held=Window(Count("pk")),
            next_due_on=Subquery(nxt.order_by("due_on", "id").values("due_on")[:1]),
            next_name=Subquery(nxt.order_by("due_on", "id").values("name")[:1]),
        )
        .order_by("-report_missing", F("next_due_on").asc(nulls_last=True), "name", "id")[
            : team.SHOWN
        ]
    )
    return [(p.pk, p.report_missing, p.held, p.next_due_on, p.next_name) for p in rows]


def _team_shown(client) -> list[tuple]:
    from django.urls import reverse

    response = client.get(reverse("home"))
    section = next(s for s in response.context["sections"] if s.key == "team")
    total = section.extra["total"]
    return [
        (p.pk, p.report_missing, total, p.next_due_on, p.next_name)
        for p in section.extra["projects"]
    ]


# (FEW, SHOWN): sorted from the few held; read off the indexes in order for one who holds
# many (``team._first_of_many``), the page full, cut inside a part, at one row.
@pytest.mark.parametrize("few,shown", [(200, 12), (0, 12), (0, 3), (0, 2), (0, 1)])
def test_the_team_s_projects_and_next_milestones_are_the_live_ones(
    world, client_for, monkeypatch, few, shown
):
    from zhaoshang.agreements import services as agreements
    from zhaoshang.agreements.models import Milestone
    from zhaoshang.agreements.schedule import Step
    from zhaoshang.projects.choices import Stage, TeamRole
    from zhaoshang.projects.models import MonthlyReport, Project, ProjectTeamMember

    made = _projects(world, 6)
    for n, project in enumerate(made):
        ProjectTeamMember.objects.create(
            project=project, user=world.user_secretary, role=TeamRole.SECRETARY
        )
        if n % 2:
            Project.objects.filter(pk=project.pk).update(stage=Stage.STARTED)
            MonthlyReport.objects.filter(project=project).delete()
        else:  # owing no report (before signing): each part has projects with and without
            Project.objects.filter(pk=project.pk).update(stage=Stage.NEGOTIATING)
        if n < 4:
            agreements.create_commitment(
                world.user_bureau,
                project,
                department=world.dept_works_a,
                steps=[Step("施工图审查", 10 + n), Step("施工许可核发", 5)],
                title=f"服务承诺{n}",
                content="在项目开工前完成施工许可证核发。",
                clause="第七条",
                start_on=datetime.date(2026, 6, 1),
                target_on=datetime.date(2026, 8, 31),
            )
    # Two milestones due the same day on one project: the first recorded is named.
    first = Milestone.objects.filter(commitment__project=made[0]).order_by("id").first()
    Milestone.objects.filter(commitment__project=made[0]).update(due_on=first.due_on)
    Milestone.objects.filter(commitment__project=made[1]).update(done_on=datetime.date(2026, 6, 2))
    monkeypatch.setattr(team, "FEW", few)
    monkeypatch.setattr(team, "SHOWN", shown)
    client = client_for("secretary")
    rows = _team_shown(client)
    assert rows == _team_live(world.user_secretary)
    assert len(rows) == min(shown, rows[0][2])
    if shown == 12:
        assert any(row[4] for row in rows) and any(row[1] for row in rows)


def test_a_whole_district_s_reads_are_compiled_once_and_run_for_each_person(world):
    """For the people who see a whole district, "my projects", the recent activity, the
    projects needing attention, the unread messages and the team's projects run statements
    compiled once (``homes.district_rows``): another person of another district compiles
    none of them and sees their own rows."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    from zhaoshang.dashboard.tests.records import request_as
    from zhaoshang.projects.models import Project

    def read(user):
        request = request_as(user)
        section = team.section(request)
        visible = Project.objects.visible_to(user)
        attention = [p.pk for p in page.attention(visible, user)]
        page.unread_notifications(user)
        return _fast(user), [e.pk for e in page.recent_events(user)], section, attention

    from zhaoshang.core import roles

    read(world.user_manager)
    roles.roles_of(world.user_manager_b)  # (their roles read first)
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        mine, events, section, attention = read(world.user_manager_b)
    compiled = [c.args[0].query.model.__name__ for c in compiling.call_args_list]
    assert compiled == [], compiled
    assert mine == _live(world.user_manager_b)
    visible = Project.objects.visible_to(world.user_manager_b)
    assert attention == [p.pk for p in page.attention(visible)]  # (read as it was)
    assert section is not None
    assert [p.pk for p in section.extra["projects"]] == [
        pk for pk, *_ in _team_live(world.user_manager_b)
    ][: team.SHOWN]


@pytest.mark.parametrize("who", ["bureau", "leader", "department", "supervisor"])
def test_a_whole_district_s_tiles_are_compiled_once_and_count_each_person_s(world, who):
    """The bureau's, the leader's, the department's and the supervisor's tiles and lists for a person who sees a whole district
    run statements compiled once (``homes.district_rows``): another person of another
    district compiles none of them, and their figures are still their lists' counts."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    from zhaoshang.core import roles
    from zhaoshang.dashboard import tallies
    from zhaoshang.dashboard.homes import bureau, department, leader, live_figures, supervisor
    from zhaoshang.dashboard.tests.records import request_as

    home = {"bureau": bureau, "leader": leader, "department": department}.get(who, supervisor)

    def request_of(user):
        request = request_as(user)
        return request

    first, other = getattr(world, f"user_{who}"), getattr(world, f"user_{who}_b")
    home.section(request_of(first))
    roles.roles_of(other)  # (their roles read first)
    tallies.of_user(other)  # (and their district's tallies stored)
    str(other.department)  # (and their department's name, the department's title)
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        home.section(request_of(other))
    compiled = [c.args[0].query.model.__name__ for c in compiling.call_args_list]
    # (the stored tallies are read as of the time, the district's yellow window is read to
    # name the statements kept, the ratings are the supervision office's: compiled each time)
    assert [m for m in compiled if m not in ("ProjectTally", "LightRule", "Rating")] == [], compiled
    request = request_of(other)
    assert home.figures(request) == live_figures(request, home.declared(request))


def test_a_park_committee_s_projects_are_read_by_statements_compiled_once(world):
    """A park committee's "my projects" (every project of its parks) and projects needing
    attention run statements compiled once (``homes.projects_rows``, on the district's,
    the park's and the committee's keys): another committee of another district compiles
    none of them and sees its own parks' rows, as read live."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    from zhaoshang.core import roles
    from zhaoshang.projects.models import Project

    def read(user):
        visible = Project.objects.visible_to(user)
        return _fast(user), [p.pk for p in page.attention(visible, user)]

    read(world.user_park)
    roles.roles_of(world.user_park_b)  # (their roles read first)
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        mine, attention = read(world.user_park_b)
    compiled = [c.args[0].query.model.__name__ for c in compiling.call_args_list]
    assert compiled == [], compiled
    assert mine == _live(world.user_park_b)
    visible = Project.objects.visible_to(world.user_park_b)
    assert attention == [p.pk for p in page.attention(visible)]


def test_a_park_committee_s_commitment_tiles_are_compiled_once_and_count_its_own(world):
    """The park committee's commitment tiles (all, to be filed, red: the light's working-day
    arithmetic and milestones) run one statement compiled once a day (``park.commitment_figures``
    through ``homes.projects_rows``): another committee of another district compiles no
    commitment read, and its tiles are still its lists' counts."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    from zhaoshang.agreements import services
    from zhaoshang.agreements.schedule import Step
    from zhaoshang.core import clock, roles
    from zhaoshang.dashboard.homes import live_figures, park
    from zhaoshang.dashboard.tests.records import request_as
    from zhaoshang.projects.models import Project

    today = clock.today()
    for tag in ("a", "b"):
        user = getattr(world, f"user_park_{tag}" if tag == "b" else "user_park")
        project = Project.objects.visible_to(user).order_by("pk").first()
        for n, (start, target) in enumerate([(-90, -10), (-5, 60), (-40, 30)]):
            services.create_commitment(
                getattr(world, "user_bureau" if tag == "a" else "user_bureau_b"),
                project,
                department=getattr(world, f"dept_works_{tag}"),
                steps=[Step("施工图审查", 10 + n), Step("施工许可核发", 5)],
                title=f"服务承诺{n}",
                content="在项目开工前完成施工许可证核发。",
                clause="第七条",
                start_on=today + datetime.timedelta(days=start),
                target_on=today + datetime.timedelta(days=target),
            )

    def request_of(user):
        request = request_as(user)
        return request

    park.section(request_of(world.user_park))
    other = world.user_park_b
    roles.roles_of(other)  # (their roles read first)
    str(other.department)  # (and their committee's name, the section's title)
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        park.section(request_of(other))
    compiled = {c.args[0].query.model.__name__ for c in compiling.call_args_list}
    assert not compiled & {"Commitment", "Milestone"}, compiled
    request = request_of(other)
    assert park.figures(request) == live_figures(request, park.declared(request))
    # and the first committee's own, read again through the kept statement
    request = request_of(world.user_park)
    assert park.figures(request) == live_figures(request, park.declared(request))
    for user in (world.user_park, other):
        figures = park.commitment_figures(user, today)
        assert figures["total"] == 3 and figures["red"] >= 1, figures
