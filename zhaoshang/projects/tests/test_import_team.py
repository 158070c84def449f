"""Import of project teams and designated contact leaders (补录, issue 20): the team
services' checks, by row and column, all or nothing."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from zhaoshang.core.imports import template_workbook
from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification
from zhaoshang.org.models import User
from zhaoshang.projects.imports_team import TeamImporter
from zhaoshang.projects.models import Project, ProjectTeamMember


def workbook(header: list[str], rows: list[list], name: str = "台账.xlsx") -> SimpleUploadedFile:
    """An office's sheet: a title row, the header, the rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某某区重点项目台账"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def problems(result) -> list[tuple]:
    """(row, column, message) of each problem, the column and message in Chinese."""
    return [(p.row, p.column, p.message) for p in result.problems]


def run(importer_class, user, district, header, rows, **kwargs):
    with translation.override("zh-hans"):
        return importer_class(user, district).run(workbook(header, rows), **kwargs)


HEADER = ["序号", "项目", "角色", "姓名", "任职日期"]


def label(importer_class, key: str) -> str:
    """A column's name as a Chinese user's report gives it."""
    with translation.override("zh-hans"):
        return str(importer_class(None, None).column(key).label)


def test_a_ledger_of_teams_and_leaders_imports(world):
    p1, p2 = world.project1_a, world.project2_a
    rows = [
        [1, p2.code, "项目经理", world.user_leader.real_name, "2026.3.5"],
        [2, p2.name, "项目秘书", world.user_secretary.username, datetime.datetime(2026, 3, 6)],
        [3, f"{p2.code} {p2.name}", "服务专员", "Outsider", None],
        [4, p1.code, "专班", "Bureau", "2026年4月1日"],
        [5, p1.code, "领导小组成员", "Department", None],
        [6, p2.code, "联系领导", "Leader", None],
    ]
    result = run(TeamImporter, world.user_bureau, world.district_a, HEADER, rows)
    assert result.ok, problems(result)
    team = {
        (m.project_id, m.role, m.user.username): m.since
        for m in ProjectTeamMember.objects.filter(project__in=[p1, p2]).select_related("user")
    }
    assert team[(p2.pk, "manager", "leader")] == datetime.date(2026, 3, 5)
    assert team[(p2.pk, "secretary", "secretary")] == datetime.date(2026, 3, 6)
    assert team[(p2.pk, "service_officer", "outsider")] == datetime.date(2026, 6, 15)  # today
    assert team[(p1.pk, "leading_group", "bureau")] == datetime.date(2026, 4, 1)
    assert (p1.pk, "leading_group", "department") in team
    p2.refresh_from_db()
    assert p2.designated_leader == world.user_leader
    verbs = list(
        DomainEvent.objects.filter(verb__startswith="project.").values_list("verb", flat=True)
    )
    assert verbs.count("project.team_assigned") >= 5
    assert "project.updated" in verbs and "project.team_imported" in verbs
    # The team stood before the platform: an import tells nobody they were just assigned.
    assert not Notification.objects.filter(verb="project.team_assigned").exists()


def test_every_check_is_named_by_row_and_column_and_nothing_is_saved(world):
    p1, p2 = world.project1_a, world.project2_a
    twin = Project.objects.create(
        district=world.district_a,
        code="ZS-2026-0077",
        name=p2.name,
        park=world.park1_a,
        total_investment=100,
        designated_leader=world.user_manager,
    )
    for username in ("zhangwei1", "zhangwei2"):
        User.objects.create(username=username, district=world.district_a, real_name="张伟")
    before = ProjectTeamMember.objects.count()
    rows = [
        [1, p2.code, "项目经理", world.user_manager.username, "2026-03-05"],  # good
        [2, "没有的项目", "项目秘书", "secretary", None],
        [3, p2.name, "项目秘书", "secretary", None],  # two projects of that name
        [4, p2.code, "厨师", "secretary", None],
        [5, p2.code, "项目秘书", "无名氏", None],
        [6, p2.code, "服务专员", "张伟", None],  # two people of that name
        [7, p2.code, "服务专员", "bureau", None],  # no rank for a service officer
        [8, p1.code, "项目经理", "leader", None],  # p1 has its manager
        [9, p2.code, "项目经理", "leader", None],  # again in the file (row 1)
        [10, p2.code, "联系领导", "bureau", None],  # not a leader
        [11, p1.code, "联系领导", "leader", None],  # p1 has another leader
        [12, "ZS-2026-0077", "联系领导", "manager", None],  # the same: nothing to do
        [13, p2.code, "项目秘书", "secretary", "2026-07-01"],  # a future date
        [14, world.project1_b.code, "项目秘书", "secretary", None],  # another district's
        [15, p2.code, "专班", "bureau", None],  # a general project has no leading group
    ]
    result = run(TeamImporter, world.user_bureau, world.district_a, HEADER, rows)
    assert not result.ok and result.created == []
    got = problems(result)
    by_row = {}
    for row, column, message in got:
        by_row.setdefault(row, []).append((column, message))
    project, role, person, since = (
        label(TeamImporter, k) for k in ("project", "role", "user", "since")
    )
    assert 3 not in by_row  # row 1 of the sheet is good
    assert by_row[4] == [(project, by_row[4][0][1])] and "没有的项目" in by_row[4][0][1]
    assert by_row[5][0][0] == project and twin.code in by_row[5][0][1]
    assert p2.code in by_row[5][0][1]
    assert by_row[6][0][0] == role and "厨师" in by_row[6][0][1]
    assert by_row[7] == [(person, by_row[7][0][1])] and "无名氏" in by_row[7][0][1]
    assert by_row[8][0][0] == person and "张伟" in by_row[8][0][1]
    assert by_row[9][0][0] == person and "Bureau" in by_row[9][0][1]  # the rank rule
    assert by_row[10][0][0] == person and "Manager" in by_row[10][0][1]  # holds the role
    assert by_row[11][0][0] == role and "3" in by_row[11][0][1]  # names the first row
    assert by_row[12][0][0] == person and "Bureau" in by_row[12][0][1]
    assert by_row[13][0][0] == person and "Manager" in by_row[13][0][1]
    assert 14 not in by_row  # the leader it has already
    assert by_row[15][0][0] == since
    assert by_row[16][0][0] == project
    assert by_row[17][0][0] == role
    assert set(by_row) == set(range(4, 18)) - {14}, got
    assert ProjectTeamMember.objects.count() == before  # all or nothing
    p2.refresh_from_db()
    assert p2.designated_leader is None


def test_only_the_registry_editors_import_teams(world):
    for username in ("department", "leader", "officer"):
        with pytest.raises(PermissionDenied):
            run(
                TeamImporter,
                User.objects.get(username=username),
                world.district_a,
                HEADER,
                [[1, world.project2_a.code, "项目经理", "leader", None]],
            )
    assert TeamImporter(world.user_admin, world.district_a).allowed()
    assert not TeamImporter(world.user_bureau, world.district_b).allowed()


def test_the_references_are_loaded_once_per_kind(world):
    """Checking the rows costs the same queries for 3 rows and 30 (nothing reaches the
    services: every row names an unknown role); a good file costs a bounded number per row."""

    def count(rows):
        with CaptureQueriesContext(connection) as queries:
            result = run(TeamImporter, world.user_bureau, world.district_a, HEADER, rows)
        return len(queries), result

    bad = [1, world.project2_a.code, "厨师", "leader", None]
    count([bad])  # (the first run reads what stays cached: the site's settings)
    few, _ = count([bad] * 3)
    many, result = count([bad] * 30)
    assert few == many and result.problem_count == 30
    good = [
        [1, world.project2_a.code, "项目经理", "leader", None],
        [2, world.project2_a.code, "项目秘书", "secretary", None],
        [3, world.project2_a.code, "服务专员", "outsider", None],
    ]
    queries, result = count(good)
    assert result.ok and queries <= 6 + 12 * len(good)


def test_the_template_has_the_roles_and_the_notes(db):
    with translation.override("en"):
        content = template_workbook(TeamImporter(None, None))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames[0] == "Project teams"
    header = [c.value for c in book.worksheets[0][1]]
    assert header == ["Project", "Team role", "Person", "Since"]
    values = {c.value for row in book.worksheets[2].iter_rows() for c in row}
    assert "Designated contact leader" in values
