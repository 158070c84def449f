"""The approval pages beyond one case: worklists, the green channel, registration, joint
decisions and the project's approvals tab."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.urls import reverse

from zhaoshang.approvals import services
from zhaoshang.approvals.catalogue import ITEMS, NOT_IN_GREEN_CHANNEL, seed_catalogue
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.tests.pages import EN, action_url, day, make_case, worklist_ids


def post(client, case, slug: str, **data):
    """Post an action with the version the user read (the case as it is now)."""
    case.refresh_from_db()
    data.setdefault("version", case.version)
    return client.post(action_url(case, slug), data, **EN)


def text(response) -> str:
    """The visible text of a page's main part."""
    html = response.content.decode()
    html = html[html.find("<main") : html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def handler(client_for):
    return client_for("department")


# ---------------------------------------------------------------------------------------
# The case page: the life of a case


def test_department_worklist_is_their_open_cases_by_working_days_left(world, client_for):
    late = make_case(world, due_on=day("2026-06-11"))  # Thu; 12 and 15 have passed
    soon = make_case(world, due_on=day("2026-06-16"))
    later = make_case(world, due_on=day("2026-06-25"))
    paused = make_case(world, due_on=day("2026-06-12"), paused=True)
    provisional = make_case(world, due_on=day("2027-01-05"), due_is_provisional=True)
    done = make_case(world, due_on=day("2026-06-12"), status=CaseStatus.DONE)
    elsewhere = make_case(world, due_on=day("2026-06-10"), department=world.dept_land_a)

    handler = client_for("department")
    ids = worklist_ids(handler)
    assert ids == [late.pk, soon.pk, later.pk, provisional.pk, paused.pk, world.case_a.pk]
    assert done.pk not in ids and elsewhere.pk not in ids

    response = handler.get(reverse("approvals:worklist"), **EN)
    rows = dict(re.findall(r'<tr data-case="(\d+)">(.*?)</tr>', response.content.decode(), re.S))
    assert (
        'data-light="red"' in rows[str(late.pk)] and "2 working days overdue" in rows[str(late.pk)]
    )
    assert (
        'data-light="yellow"' in rows[str(soon.pk)] and "1 working day left" in rows[str(soon.pk)]
    )
    # 16–18, then 22–25 (the 19th is the Dragon Boat holiday): 7 working days.
    assert (
        'data-light="green"' in rows[str(later.pk)] and "7 working days left" in rows[str(later.pk)]
    )
    assert 'data-light="paused"' in rows[str(paused.pk)]
    assert 'data-testid="provisional"' in rows[str(provisional.pk)]
    assert "not started" in rows[str(world.case_a.pk)]


def test_the_district_worklist_and_its_filters(world, client_for):
    late = make_case(world, due_on=day("2026-06-11"))
    land = make_case(world, due_on=day("2026-06-25"), department=world.dept_land_a)
    green_project = world.project2_a
    green_project.is_green_channel = True
    green_project.save()
    green = make_case(world, project=green_project, due_on=day("2026-06-26"))
    bureau = client_for("bureau")
    everything = set(worklist_ids(bureau))
    assert {late.pk, land.pk, green.pk, world.case_a.pk, world.case_out_a.pk} == everything
    assert set(worklist_ids(bureau, department=world.dept_land_a.pk)) == {
        land.pk,
        world.case_out_a.pk,
    }
    assert worklist_ids(bureau, light="red") == [late.pk]
    assert set(worklist_ids(bureau, light="green")) == {land.pk, green.pk}
    assert set(worklist_ids(bureau, status="pending")) == {world.case_a.pk, world.case_out_a.pk}
    assert set(worklist_ids(bureau, project=green_project.pk)) == {green.pk, world.case_out_a.pk}
    assert set(worklist_ids(bureau, green="on")) == {green.pk, world.case_out_a.pk}
    assert worklist_ids(bureau, item=land.item_id) == [land.pk]
    # Other districts are never there; the city sees every district.
    assert world.case_b.pk not in everything
    assert world.case_b.pk in worklist_ids(client_for("city"))
    assert set(worklist_ids(client_for("park"))) == {late.pk, land.pk, world.case_a.pk}  # park1


def test_worklist_pages(world, client_for):
    for i in range(30):
        make_case(world, due_on=day("2026-06-16") + datetime.timedelta(days=i))
    handler = client_for("department")
    first, second = worklist_ids(handler), worklist_ids(handler, page=2)
    assert len(first) == 25 and len(second) == 6 and not set(first) & set(second)


def test_worklist_export(world, client_for):
    from openpyxl import load_workbook

    late = make_case(world, due_on=day("2026-06-11"))
    response = client_for("department").get(reverse("approvals:export"), **EN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.values)
    header = rows[0]
    assert header[0] == "Project code" and "Working days left" in header
    assert [r[header.index("Approval item")] for r in rows[1:]] == [
        late.item.name,
        world.case_a.item.name,
    ]
    assert rows[1][header.index("Working days left")] == -2


# ---------------------------------------------------------------------------------------
# The project's approvals tab


def test_green_channel_registration_forecast_and_graph(world, client_for):
    project = world.project1_a
    project.is_green_channel = True
    project.save()
    seed_catalogue(world.district_a)
    center = client_for("service_center")
    url = reverse("approvals:project", args=[project.pk])
    assert 'data-testid="green-channel-form"' in center.get(url).content.decode()
    response = center.post(
        reverse("approvals:register_green_channel", args=[project.pk]),
        {"agent": world.user_service_center.pk},
        **EN,
    )
    assert response.status_code == 302
    cases = ApprovalCase.objects.filter(project=project)
    # the world's own case_a, plus every seeded green-channel item (not 取水许可)
    green = len(ITEMS) - len(NOT_IN_GREEN_CHANNEL)
    assert cases.count() == green + 1
    assert not cases.filter(item__code__in=NOT_IN_GREEN_CHANNEL).exists()
    assert set(cases.values_list("agent", flat=True)) == {world.user_service_center.pk}

    response = client_for("bureau").get(url, **EN)
    html = response.content.decode()
    page = text(response)
    forecast = services.forecast(project)
    assert f"All approvals can be done by {forecast.all_done_by.date.isoformat()}" in page
    assert "Held up by" in page and re.search(r'data-testid="holding">企业投资项目备案<', html)
    path = re.search(r'data-testid="critical-path">(.*?)</ol>', html, re.S).group(1)
    assert path.index("企业投资项目备案") < path.index("建筑工程施工许可证")
    # The graph: cases as nodes, an edge from each prerequisite to its item; data in a
    # json_script, the chart in a static file (no inline script under the CSP).
    data = json.loads(
        re.search(r'id="zs-prerequisite-graph-data"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    assert len(data["nodes"]) == green + 1
    by_id = {n["id"]: n["name"] for n in data["nodes"]}
    edges = {(by_id[e["source"]], by_id[e["target"]]) for e in data["links"]}
    assert ("企业投资项目备案", "环境影响评价审批") in edges
    assert ("环境影响评价审批", "建筑工程施工许可证") in edges
    assert len(data["links"]) == sum(
        len(row[7]) for row in ITEMS if row[0] not in NOT_IN_GREEN_CHANNEL
    )
    assert all(
        n["x"] > 0
        for n in data["nodes"]
        if n["name"] != "企业投资项目备案" and n["name"] != "城市建筑垃圾处置核准"
    )
    assert "vendor/echarts/echarts.min.js" in html and "approvals/prerequisite-graph.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    table = re.search(r'data-testid="prerequisite-table">(.*?)</table>', html, re.S).group(1)
    assert "建设工程规划许可证" in table and "Not registered" not in table
    # Registering again adds nothing.
    center.post(
        reverse("approvals:register_green_channel", args=[project.pk]),
        {"agent": world.user_service_center.pk},
    )
    assert ApprovalCase.objects.filter(project=project).count() == green + 1


def test_green_channel_only_for_green_channel_projects(world, client_for):
    project = world.project2_a
    center = client_for("service_center")
    assert (
        "green-channel-form"
        not in center.get(reverse("approvals:project", args=[project.pk])).content.decode()
    )
    response = center.post(
        reverse("approvals:register_green_channel", args=[project.pk]),
        {"agent": world.user_service_center.pk},
        **EN,
    )
    assert response.status_code == 400
    assert "Only a green-channel project has its cases registered at once." in text(response)


def test_register_one_item_and_a_duplicate_is_refused(world, client_for):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    center = client_for("service_center")
    url = reverse("approvals:register", args=[world.project2_a.pk])
    response = center.post(url, {"item": items["XM-01"].pk})
    assert response.status_code == 302
    case = ApprovalCase.objects.get(project=world.project2_a, item=items["XM-01"])
    assert case.department == items["XM-01"].department and case.agent is None
    # The item is no longer offered; posting it anyway is refused next to the field.
    response = center.post(url, {"item": items["XM-01"].pk}, **EN)
    assert response.status_code == 400 and 'data-field="item"' in response.content.decode()


def test_joint_decision_through_the_page(world, client_for):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    project = world.project1_a
    drawings = services.register_case(world.user_service_center, project, items["GC-02"])
    fire = services.register_case(world.user_service_center, project, items["GC-03"])
    leader = client_for("leader")
    url = reverse("approvals:joint_decision", args=[project.pk])
    response = leader.post(
        url,
        {
            "cases": [drawings.pk, fire.pk],
            "decided_on": "2026-06-15",
            "document_number": "东城联席〔2026〕3号",
        },
    )
    assert response.status_code == 302
    drawings.refresh_from_db()
    fire.refresh_from_db()
    assert drawings.joint_decision_id == fire.joint_decision_id is not None
    assert drawings.due_on == fire.due_on == day("2026-06-18")
    # Items that are not prerequisites of each other need no joint decision.
    other = services.register_case(world.user_service_center, project, items["XM-05"])
    response = leader.post(
        url,
        {"cases": [other.pk, world.case_a.pk], "decided_on": "2026-06-15", "document_number": "x"},
        **EN,
    )
    assert response.status_code == 400 and "can run in parallel" in text(response)


def test_the_approvals_tab_is_in_the_project_tabs(world, client_for):
    html = (
        client_for("bureau")
        .get(reverse("projects:detail", args=[world.project1_a.pk]))
        .content.decode()
    )
    assert reverse("approvals:project", args=[world.project1_a.pk]) in html
    response = client_for("bureau").get(
        reverse("approvals:project", args=[world.project2_a.pk]), **EN
    )
    assert 'class="nav-link active"' in response.content.decode()
    assert "zs-prerequisite-graph-data" in response.content.decode()  # case_out_a


# ---------------------------------------------------------------------------------------
# The catalogue
