"""Each home counts its tiles in a few grouped queries of its own (``homes/<role>.py``
``figures``); every figure must equal the tile's definition — the rows its list shows for
the tile's link (``Figure.live``: the list's own filter) — for every role, after each kind
of change to the records the tiles count."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import translation

from zhaoshang.dashboard.homes import bureau, department, leader, live_figures, park, supervisor
from zhaoshang.dashboard.homes import team as team_home
from zhaoshang.dashboard.tests.records import make_receipt, request_as

D = datetime.date
# (world user, home module): every section the world's people see, and a few they would
# see with another role (the modules count for whoever asks).
HOMES = [
    ("supervisor", supervisor),
    ("department", department),
    ("officer", department),
    ("supervisor", department),  # the supervision office's own department
    ("leader", leader),
    ("manager", leader),
    ("park", park),
    ("bureau", bureau),
    ("manager", team_home),
    ("secretary", team_home),
    ("department", team_home),
    ("park", team_home),  # (a park committee sees part of a district: compiled each time)
    # The other district's, after this one's: a statement kept for a district's people
    # (``homes.district_rows``) is run again with another district's and person's ids.
    ("supervisor_b", supervisor),
    ("department_b", department),
    ("leader_b", leader),
    ("bureau_b", bureau),
    ("manager_b", team_home),
    ("secretary_b", team_home),
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def check(world) -> dict:
    """Every home's figures against their lists'; the figures, for the tests to see that
    they count something."""
    seen = {}
    for who, home in HOMES:
        user = type(getattr(world, f"user_{who}")).objects.get(username=who)
        request = request_as(user)
        fast = home.figures(request)
        live = live_figures(request, home.declared(request))
        assert fast == live, f"{who} {home.__name__}"
        seen[who, home.__name__.rsplit(".", 1)[1]] = fast
    return seen


def _clone(obj, **changes):
    obj = type(obj).objects.get(pk=obj.pk)
    obj.pk = None
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def test_the_figures_equal_their_lists_through_every_kind_of_change(world):
    from zhaoshang.approvals.choices import CaseStatus
    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.complaints.models import Complaint
    from zhaoshang.complaints.tests.factories import make_complaint
    from zhaoshang.inspections.tests.factories import make_request
    from zhaoshang.meetings.choices import ActionStatus
    from zhaoshang.meetings.models import ActionItem
    from zhaoshang.meetings.tests.factories import make_item
    from zhaoshang.monitoring.choices import Level
    from zhaoshang.monitoring.models import Signal
    from zhaoshang.ratings.tests.factories import make_rating

    check(world)

    # Cases of the works department: pending, running and overdue, due soon, paused, done.
    case = ApprovalCase.objects.get(pk=world.case_a.pk)
    for n, (status, due, paused) in enumerate(
        [
            (CaseStatus.PENDING, None, False),
            (CaseStatus.ACCEPTED, D(2026, 6, 10), False),  # overdue
            (CaseStatus.IN_PROGRESS, D(2026, 6, 16), False),  # due tomorrow: yellow
            (CaseStatus.IN_PROGRESS, D(2026, 6, 15), False),  # due today: yellow
            (CaseStatus.IN_PROGRESS, D(2026, 7, 30), False),  # green
            (CaseStatus.ACCEPTED, D(2026, 6, 1), True),  # paused: no light
            (CaseStatus.DONE, D(2026, 6, 1), False),
        ]
    ):
        project = _clone(world.project1_a, code=f"FIG{n:03d}", name=f"图项目{n}")
        _clone(case, project=project, status=status, due_on=due, paused=paused)
    for n in range(3):  # another department's
        project = _clone(world.project2_a, code=f"FIGO{n:03d}", name=f"他项目{n}")
        _clone(world.case_out_a, project=project, status=CaseStatus.ACCEPTED, due_on=D(2026, 6, 9))
    seen = check(world)
    assert seen["department", "department"]["cases_red"] >= 1
    assert seen["department", "department"]["cases_yellow"] >= 2

    # Complaints through their statuses, against the works department and another.
    for status in ("received", "dispatched", "accepted", "verifying", "closed"):
        complaint = make_complaint(world)
        Complaint.objects.filter(pk=complaint.pk).update(status=status)
    make_complaint(world, department=world.dept_land_a)
    seen = check(world)
    assert seen["supervisor", "supervisor"]["to_dispatch"] >= 1

    # Lights: red and yellow, escalated to the leader in charge and to the joint meeting,
    # on the manager's project and on another.
    from zhaoshang.dashboard.tests.screen_records import red_signal

    for n, (project, light, level) in enumerate(
        [
            (world.project1_a, "red", Level.LEADER),
            (world.project1_a, "yellow", 0),
            (world.project2_a, "red", Level.MEETING),
            (world.project2_a, "yellow", Level.MEETING),
        ]
    ):
        signal = red_signal(project, f"事项{n}", D(2026, 6, 1 + n * 5), light=light)
        Signal.objects.filter(pk=signal.pk).update(level=level)
    seen = check(world)
    assert seen["manager", "leader"]["mine_leader"] == 1

    # Action items: the works department's, open, overdue, awaiting confirmation, closed.
    for status, due in [
        (ActionStatus.IN_PROGRESS, D(2026, 6, 30)),
        (ActionStatus.NOT_STARTED, D(2026, 6, 1)),
        (ActionStatus.AWAITING_CONFIRMATION, D(2026, 6, 1)),
        (ActionStatus.CLOSED, D(2026, 6, 1)),
    ]:
        item = make_item(world)
        ActionItem.objects.filter(pk=item.pk).update(status=status, due_on=due)
    make_item(world, owner=world.dept_land_a)
    seen = check(world)
    assert seen["department", "department"]["items_overdue"] >= 1

    # Problems (问题清单), inspections, ratings.
    _needs(world)
    make_request(world)
    make_request(world, approve=True)
    make_rating(world)
    make_rating(world, score="satisfied")
    seen = check(world)
    assert seen["supervisor", "supervisor"]["problems"] == 1

    # Receipts to the leader, read and unread; a case of the manager's project with one.
    for n in range(3):
        receipt = make_receipt(world, world.user_leader, n)
        if n == 0:
            receipt.read_at = receipt.filed_at
            receipt.save(update_fields=["read_at"])
    receipt = make_receipt(world, world.user_manager, 9)
    receipt.approval_case = ApprovalCase.objects.get(pk=world.case_a.pk)
    receipt.save(update_fields=["approval_case"])
    check(world)


def _needs(world):
    from zhaoshang.service.choices import NeedCategory, NeedStatus
    from zhaoshang.service.models import Need

    for n, status in enumerate(
        (NeedStatus.ESCALATED, NeedStatus.PENDING, NeedStatus.IN_PROGRESS, NeedStatus.RESOLVED),
        start=1,
    ):
        Need.objects.create(
            district=world.district_a,
            number=f"WT-2026-{n:04d}",
            project=world.project1_a,
            raised_by=world.user_admin,
            raised_on=D(2026, 6, 12),
            category=NeedCategory.LAND,
            title="用地",
            description="用地红线",
            department=world.user_department.department,
            due_workdays=5,
            due_on=D(2026, 6, 22),
            status=status,
        )


def test_the_registry_park_and_team_figures_follow_their_records(world):
    """Projects signed, started and moved this month; the projects a manager holds, owing
    their monthly report or evidence; commitments filed or not and behind; parcels idle."""
    from zhaoshang.agreements import services as agreements
    from zhaoshang.agreements.models import Commitment
    from zhaoshang.agreements.schedule import Step
    from zhaoshang.land.choices import ParcelStatus
    from zhaoshang.land.models import LandParcel
    from zhaoshang.land.tests.factories import make_parcel
    from zhaoshang.projects.choices import Stage, TeamRole
    from zhaoshang.projects.models import (
        EvidenceOwed,
        MaterialType,
        MonthlyReport,
        Project,
        ProjectTeamMember,
        StageEvent,
    )

    made = [
        _clone(world.project1_a, code=f"REG{n:03d}", name=f"登记项目{n}", park=park)
        for n, park in enumerate([world.park1_a, world.park2_a] * 3)
    ]
    Project.objects.filter(pk__in=[p.pk for p in made[:2]]).update(signed_on=D(2026, 6, 3))
    Project.objects.filter(pk=made[2].pk).update(signed_on=D(2026, 5, 30))  # last month
    Project.objects.filter(pk__in=[made[3].pk, made[1].pk]).update(started_on=D(2026, 6, 10))
    for project, day in [
        (made[4], D(2026, 6, 2)),
        (made[4], D(2026, 6, 9)),
        (made[5], D(2026, 5, 9)),
    ]:
        StageEvent.objects.create(
            project=project,
            from_stage=Stage.LEAD,
            to_stage=Stage.NEGOTIATING,
            occurred_on=day,
            recorded_by=world.user_bureau,
        )
    seen = check(world)
    assert seen["bureau", "bureau"] == {
        **seen["bureau", "bureau"],
        "signed": 2,
        "started": 2,
        "moved": 1,
    }

    # The manager holds three more projects: one reporting, one having filed, one owing
    # evidence from an imported stage.
    for project in made[:3]:
        ProjectTeamMember.objects.create(
            project=project, user=world.user_manager, role=TeamRole.MANAGER
        )
    Project.objects.filter(pk__in=[p.pk for p in made[:3]]).update(stage=Stage.STARTED)
    MonthlyReport.objects.filter(project__in=made[:3]).delete()
    report = MonthlyReport.objects.filter(project=world.project1_a).first()
    if report is not None:
        _clone(report, project=made[1], month=D(2026, 5, 1))
    move = StageEvent.objects.create(
        project=made[2],
        from_stage=Stage.SIGNED,
        to_stage=Stage.STARTED,
        occurred_on=D(2026, 1, 5),
        recorded_by=world.user_bureau,
        is_imported=True,
    )
    for material in MaterialType.objects.all()[:2]:
        EvidenceOwed.objects.create(project=made[2], stage_event=move, material_type=material)
    seen = check(world)
    assert seen["manager", "team"]["missing"] >= 1
    assert seen["manager", "team"]["owed"] == 2

    # Commitments of the park's projects (the park committee's home): filed or not, behind.
    for n, project in enumerate(made[:4]):
        commitment = agreements.create_commitment(
            world.user_bureau,
            project,
            department=world.dept_works_a,
            steps=[Step("施工图审查", 10), Step("施工许可核发", 5)],
            title=f"服务承诺{n}",
            content="在项目开工前完成施工许可证核发。",
            clause="第七条",
            start_on=D(2026, 6, 1),
            target_on=D(2026, 7, 31),
        )
        if n == 0:  # past its target unfinished: red
            Commitment.objects.filter(pk=commitment.pk).update(target_on=D(2026, 6, 12))
        if n == 1:
            Commitment.objects.filter(pk=commitment.pk).update(filed_version=1)
        if n == 2:
            Commitment.objects.filter(pk=commitment.pk).update(
                filed_version=1, changed_since_filing=True
            )
    for n in range(3):
        parcel = make_parcel(world, park=world.park1_a if n else world.park2_a)
        if n < 2:
            LandParcel.objects.filter(pk=parcel.pk).update(status=ParcelStatus.IDLE)
    seen = check(world)
    assert seen["park", "park"]["commitments"] >= 2
    assert seen["park", "park"]["commitments_red"] >= 1
    assert seen["park", "park"]["idle"] >= 1


def test_the_team_s_work_tiles_are_exact_up_to_their_cap(world, client_for, monkeypatch):
    """The team's tiles of work — receipts to file, monthly reports missing — count up to
    ``team.CAP`` (counted off the team's index, stopping at CAP + 1): exact below and at
    the cap, CAP + 1 and shown "CAP+" above it (a badge; the list gives the total); each
    project held counted once, even where its manager is its secretary as well."""
    from django.urls import reverse

    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.core import clock
    from zhaoshang.projects.choices import Stage, TeamRole
    from zhaoshang.projects.models import MonthlyReport, Project, ProjectTeamMember

    manager = type(world.user_manager).objects.get(username="manager")
    case = ApprovalCase.objects.get(pk=world.case_a.pk)
    made = []
    for n in range(4):  # held by the manager, reporting, owing May's report, a case each
        project = _clone(world.project1_a, code=f"CAP{n:03d}", name=f"封顶项目{n}")
        ProjectTeamMember.objects.create(project=project, user=manager, role=TeamRole.MANAGER)
        _clone(case, project=project)
        made.append(project)
    # The manager is the secretary of one of them too: the project is held once.
    ProjectTeamMember.objects.create(project=made[0], user=manager, role=TeamRole.SECRETARY)
    _clone(world.case_out_a, project=made[0])  # a second open case of that project
    Project.objects.filter(pk__in=[p.pk for p in made]).update(stage=Stage.STARTED)
    MonthlyReport.objects.filter(project__in=made).delete()
    # One has filed May's report (it owes none), another only April's (it still owes May's).
    for project, month in ((made[3], D(2026, 5, 1)), (made[2], D(2026, 4, 1))):
        MonthlyReport.objects.create(
            project=project,
            month=month,
            investment_this_month=Decimal("10"),
            investment_cumulative=Decimal("10"),
            image_progress="进场施工",
            submitted_by=manager,
            submitted_at=clock.now(),
        )
    # Held as secretary alone: held too (another project, a case of its own).
    alone = _clone(world.project2_a, code="CAP100", name="封顶项目秘书")
    ProjectTeamMember.objects.create(project=alone, user=manager, role=TeamRole.SECRETARY)
    _clone(case, project=alone)

    request = request_as(manager)
    exact = {f.key: f.live(request) for f in team_home.declared(request)}
    assert exact["to_file"] >= 6 and exact["missing"] >= 3, exact
    owing = set(Project.objects.owing_report(clock.today()).values_list("pk", flat=True))
    assert made[3].pk not in owing and made[2].pk in owing
    for cap in (1, 3, exact["missing"] - 1, exact["missing"], exact["to_file"], 99):
        monkeypatch.setattr(team_home, "CAP", cap)
        fast = team_home.figures(request)
        for key in ("to_file", "missing"):
            assert fast[key] == min(exact[key], cap + 1), (cap, key, fast, exact)
        assert fast == live_figures(request, team_home.declared(request))

    # Above its cap a tile shows "CAP+" (its link and label unchanged), the summary says so.
    monkeypatch.setattr(team_home, "CAP", 2)
    monkeypatch.setattr(team_home, "TOTAL_CAP", 5)  # the manager holds 6 projects
    client = client_for("manager")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("home")).content.decode()
    tile = re.search(
        r'href="[^"]*report_missing=on" data-count="(\d+)"( data-more)?>\s*<div[^>]*>([^<]*)<', html
    )
    assert tile is not None and tile.groups() == ("3", " data-more", "2+"), html
    assert "More than 2 monthly reports for 2026-05 not filed" in html
    assert 'data-missing="3" data-more>' in html
    assert "More than 5 projects in my charge" in html
    monkeypatch.setattr(team_home, "CAP", 99)
    html = client.get(reverse("home")).content.decode()
    tile = re.search(
        r'href="[^"]*report_missing=on" data-count="(\d+)"( data-more)?>\s*<div[^>]*>([^<]*)<', html
    )
    assert tile.groups() == (str(exact["missing"]), None, str(exact["missing"]))
    assert f"{exact['missing']} monthly reports for 2026-05 not filed" in html
    monkeypatch.setattr(team_home, "TOTAL_CAP", 6)
    html = client.get(reverse("home")).content.decode()
    assert "6 projects in my charge" in html and "More than" not in html
