"""The approval pages over the test world: a case through its life on its page, the
worklist with its lights and order, the project's approvals tab and the catalogue.

World: ``case_a`` (project1_a, 城市建筑垃圾处置核准, held by 建设局 — the department of
``department``), ``case_out_a`` (project2_a, 用地预审, held by 国土局), ``case_b`` (district b).
Time is frozen at 2026-06-15, a Monday; 2026-06-19 is the Dragon Boat holiday.
"""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.catalogue import ITEMS, NOT_IN_GREEN_CHANNEL, seed_catalogue
from zhaoshang.approvals.choices import CaseStatus, PauseKind
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem, CasePause
from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def action_url(case, slug: str) -> str:
    return reverse("approvals:case_" + slug.replace("-", "_"), args=[case.pk])


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


def test_accept_handle_complete_through_the_page_and_the_enterprise_is_told(world, handler):
    case = world.case_a
    assert (
        post(handler, case, "materials-complete", materials_complete_on="2026-06-15").status_code
        == 302
    )
    case.refresh_from_db()
    assert case.due_on == day("2026-06-18")  # the third working day after the 15th

    response = post(handler, case, "accept", accepted_on="2026-06-15")
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert post(handler, case, "start").status_code == 302
    response = post(handler, case, "complete", done_on="2026-06-15")
    assert response.status_code == 302

    case.refresh_from_db()
    assert case.status == CaseStatus.DONE and case.done_on == day("2026-06-15")
    assert case.handler == world.user_department
    assert Notification.objects.filter(recipient=world.user_enterprise, verb="case.done").exists()
    page = text(handler.get(case.get_absolute_url(), **EN))
    for label in ("Case registered", "Materials complete", "Accepted", "Handling started", "Done"):
        assert label in page
    assert "The case is done; the enterprise has been notified." in page
    assert "The case is closed." in page  # no action is offered any more


def test_actions_are_offered_only_to_whom_and_when_they_apply(world, client_for):
    case = world.case_a
    forms = lambda who: set(  # noqa: E731
        re.findall(
            r'data-action="([a-z-]+)"',
            client_for(who).get(case.get_absolute_url()).content.decode(),
        )
    )
    # Pending, materials not complete: the handler can record them, accept, ask for 补正,
    # transfer or return; the service center records materials and transfers.
    assert forms("department") == {"materials-complete", "accept", "pause", "transfer", "return"}
    assert forms("service_center") == {"materials-complete", "transfer"}
    assert forms("bureau") == {"materials-complete"}
    for who in ("leader", "supervisor", "park", "city", "manager"):
        assert forms(who) == set(), who
    # 国土局's case: the world's 建设局 handler may look, not act.
    assert (
        "data-action"
        not in client_for("department").get(world.case_out_a.get_absolute_url()).content.decode()
    )
    # Accepted: start, complete, pause, extend, report, transfer and return apply.
    services.mark_materials_complete(world.user_department, case, day("2026-06-15"))
    services.accept_case(
        world.user_department, ApprovalCase.objects.get(pk=case.pk), day("2026-06-15")
    )
    assert forms("department") == {
        "start",
        "complete",
        "pause",
        "extend",
        "report",
        "transfer",
        "return",
    }


def test_transfer_keeps_the_due_date_and_shows_who_held_it_how_long(world, client_for):
    case = world.case_a
    handler = client_for("department")
    post(handler, case, "materials-complete", materials_complete_on="2026-06-15")
    post(handler, case, "accept", accepted_on="2026-06-15")
    case.refresh_from_db()
    due = case.due_on
    land = world.dept_land_a
    with time_machine.travel("2026-06-17 10:00 +0800", tick=False):
        response = post(
            client_for("service_center"),
            case,
            "transfer",
            to_department=land.pk,
            reason="用地手续由国土部门办理",
            transferred_on="2026-06-17",
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.department == land and case.due_on == due == day("2026-06-18")
    with time_machine.travel("2026-06-18 10:00 +0800", tick=False):
        page = handler.get(case.get_absolute_url(), **EN)
    held = re.search(r'data-testid="held">(.*?)</table>', page.content.decode(), re.S).group(1)
    held = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", held))
    # 建设局 held it on the 16th and 17th, 国土局 on the 18th.
    assert "区建设局 2" in held and "区国土局 1" in held
    assert "用地手续由国土部门办理" in text(page)
    # The handler's worklist no longer shows it; 国土局's handlers would.
    assert case.pk not in _worklist_ids(handler)


def test_a_stale_version_is_refused_and_changes_nothing(world, client_for):
    case = world.case_a
    services.mark_materials_complete(world.user_department, case, day("2026-06-15"))
    case.refresh_from_db()
    read_by_officer = case.version  # the officer opens the page …
    post(
        client_for("department"), case, "accept", accepted_on="2026-06-15"
    )  # … a colleague accepts
    response = client_for("officer").post(
        action_url(case, "accept"), {"version": read_by_officer, "accepted_on": "2026-06-15"}, **EN
    )
    assert response.status_code == 409
    assert "Someone else acted on this case after you opened it" in text(response)
    case.refresh_from_db()
    assert case.handler == world.user_department and case.status == CaseStatus.ACCEPTED
    assert DomainEvent.objects.for_object(case).filter(verb="case.accepted").count() == 1


def test_service_errors_are_shown_next_to_the_fields_in_chinese(world, handler):
    case = world.case_a
    version = case.version
    response = handler.post(
        action_url(case, "materials-complete"),
        {"version": case.version, "materials_complete_on": "2026-06-16"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    field_error = re.search(r'data-field="materials_complete_on">([^<]+)<', html).group(1)
    with translation.override("zh-hans"):
        expected = translation.gettext("The date cannot be in the future.")
    assert expected != "The date cannot be in the future." and expected in field_error
    # An error of no field of the form (accepting without complete materials) goes on top.
    response = handler.post(
        action_url(case, "accept"), {"version": case.version, "accepted_on": "2026-06-15"}
    )
    assert response.status_code == 400
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "The materials are not complete: record the day they were, or accept on a written pledge (容缺受理)."
        )
    assert expected in response.content.decode()
    assert '<details open data-action="accept">' in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING and case.version == version


def test_accept_on_a_pledge_then_fulfil_it(world, handler):
    case = world.case_a
    response = post(
        handler,
        case,
        "accept",
        accepted_on="2026-06-15",
        pledge_materials="法人授权委托书",
        pledge_due_on="2026-06-22",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.pledge_materials == "法人授权委托书" and case.due_on == day("2026-06-18")
    assert "fulfil-pledge" in handler.get(case.get_absolute_url()).content.decode()
    assert post(handler, case, "fulfil-pledge", pledge_fulfilled_on="2026-06-15").status_code == 302
    case.refresh_from_db()
    assert case.pledge_fulfilled_on == day("2026-06-15")


def registered_case(world):
    """A new case of project1_a for a 建设局 item without prerequisites, registered now."""
    n = ApprovalItem.objects.count()
    item = ApprovalItem.objects.create(
        district=world.district_a,
        code=f"R-{n}",
        name=f"登记事项{n}",
        department=world.dept_works_a,
        phase="construction",
    )
    return services.register_case(world.user_service_center, world.project1_a, item)


def test_pause_resume_extend_and_the_timeline_says_so(world, handler):
    with time_machine.travel("2026-06-08 10:00 +0800", tick=False):
        case = registered_case(world)
        post(handler, case, "materials-complete", materials_complete_on="2026-06-08")
        post(handler, case, "accept", accepted_on="2026-06-08")
        post(handler, case, "start")
    with time_machine.travel("2026-06-09 10:00 +0800", tick=False):
        response = post(
            handler,
            case,
            "pause",
            kind=PauseKind.EXPERT_REVIEW,
            reason="组织专家评审",
            started_on="2026-06-09",
        )
        assert response.status_code == 302
    case.refresh_from_db()
    assert case.paused
    page = handler.get(case.get_absolute_url(), **EN)
    assert 'data-light="paused"' in page.content.decode()
    assert "Clock paused" in text(page)
    with time_machine.travel("2026-06-12 10:00 +0800", tick=False):
        assert post(handler, case, "resume", ended_on="2026-06-12").status_code == 302
    case.refresh_from_db()
    assert case.due_on == day("2026-06-16")  # 06-11 + the 3 paused working days (10–12)
    response = post(
        handler,
        case,
        "extend",
        extension_reason="需补充现场踏勘",
        extension_approver=world.user_leader.pk,
        extended_on="2026-06-15",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extended and case.extension_approver == world.user_leader
    page = handler.get(case.get_absolute_url(), **EN)
    body = text(page)
    assert "组织专家评审" in body and "Special procedure: expert review" in body
    pauses = re.search(r'data-testid="pauses">(.*?)</table>', page.content.decode(), re.S).group(1)
    assert re.search(r"2026-06-09.*2026-06-12.*>3<", re.sub(r"\s+", "", pauses))
    assert "需补充现场踏勘" in body and f"Approved by {world.user_leader.display_name}" in body
    assert "Extended (special circumstances)" in body and "Clock resumed" in body


def test_extension_approver_must_be_a_leader_or_admin(world, handler):
    case = world.case_a
    post(
        handler,
        case,
        "accept",
        accepted_on="2026-06-15",
        pledge_materials="x",
        pledge_due_on="2026-06-20",
    )
    response = post(
        handler,
        case,
        "extend",
        extension_reason="原因",
        extension_approver=world.user_bureau.pk,
        extended_on="2026-06-15",
    )
    assert response.status_code == 400
    assert 'data-field="extension_approver"' in response.content.decode()
    case.refresh_from_db()
    assert not case.extended


def test_report_upward_then_the_answer_completes(world, handler):
    case = world.case_a
    post(
        handler,
        case,
        "accept",
        accepted_on="2026-06-15",
        pledge_materials="x",
        pledge_due_on="2026-06-20",
    )
    assert (
        post(handler, case, "report", reported_to="市住建局", reported_on="2026-06-15").status_code
        == 302
    )
    assert post(handler, case, "complete", done_on="2026-06-15").status_code == 400
    assert (
        post(handler, case, "complete", done_on="2026-06-15", higher_answer="同意").status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DONE and case.higher_answer == "同意"


def test_return_needs_a_reason(world, handler):
    case = world.case_a
    response = post(handler, case, "return", return_reason=" ", returned_on="2026-06-15")
    assert response.status_code == 400 and 'data-field="return_reason"' in response.content.decode()
    assert (
        post(
            handler, case, "return", return_reason="不符合产业政策", returned_on="2026-06-15"
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED


def test_an_action_that_does_not_apply_is_refused_by_the_service(world, handler):
    response = post(handler, world.case_a, "start")  # not accepted yet
    assert response.status_code == 400
    assert world.case_a.__class__.objects.get(pk=world.case_a.pk).status == CaseStatus.PENDING


# ---------------------------------------------------------------------------------------
# The worklist


def make_case(
    world, *, project=None, department=None, due_on=None, status=CaseStatus.ACCEPTED, **extra
):
    """A case as the services would have left it (for list tests: due dates in the past)."""
    n = ApprovalItem.objects.count()
    item = ApprovalItem.objects.create(
        district=world.district_a,
        code=f"T-{n}",
        name=f"测试事项{n}",
        department=department or world.dept_works_a,
        phase="construction",
    )
    return ApprovalCase.objects.create(
        district=world.district_a,
        project=project or world.project1_a,
        item=item,
        department=item.department,
        status=status,
        registered_on=day("2026-06-01"),
        registered_by=world.user_service_center,
        materials_complete_on=day("2026-06-01") if due_on else None,
        accepted_on=day("2026-06-01") if status != CaseStatus.PENDING else None,
        time_limit=3,
        time_limit_unit="workday",
        due_on=due_on,
        **extra,
    )


def _worklist_ids(client, **params) -> list[int]:
    html = client.get(reverse("approvals:worklist"), params).content.decode()
    return [int(pk) for pk in re.findall(r'data-case="(\d+)"', html)]


def test_department_worklist_is_their_open_cases_by_working_days_left(world, client_for):
    late = make_case(world, due_on=day("2026-06-11"))  # Thu; 12 and 15 have passed
    soon = make_case(world, due_on=day("2026-06-16"))
    later = make_case(world, due_on=day("2026-06-25"))
    paused = make_case(world, due_on=day("2026-06-12"), paused=True)
    provisional = make_case(world, due_on=day("2027-01-05"), due_is_provisional=True)
    done = make_case(world, due_on=day("2026-06-12"), status=CaseStatus.DONE)
    elsewhere = make_case(world, due_on=day("2026-06-10"), department=world.dept_land_a)

    handler = client_for("department")
    ids = _worklist_ids(handler)
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
    everything = set(_worklist_ids(bureau))
    assert {late.pk, land.pk, green.pk, world.case_a.pk, world.case_out_a.pk} == everything
    assert set(_worklist_ids(bureau, department=world.dept_land_a.pk)) == {
        land.pk,
        world.case_out_a.pk,
    }
    assert _worklist_ids(bureau, light="red") == [late.pk]
    assert set(_worklist_ids(bureau, light="green")) == {land.pk, green.pk}
    assert set(_worklist_ids(bureau, status="pending")) == {world.case_a.pk, world.case_out_a.pk}
    assert set(_worklist_ids(bureau, project=green_project.pk)) == {green.pk, world.case_out_a.pk}
    assert set(_worklist_ids(bureau, green="on")) == {green.pk, world.case_out_a.pk}
    assert _worklist_ids(bureau, item=land.item_id) == [land.pk]
    # Other districts are never there; the city sees every district.
    assert world.case_b.pk not in everything
    assert world.case_b.pk in _worklist_ids(client_for("city"))
    assert set(_worklist_ids(client_for("park"))) == {late.pk, land.pk, world.case_a.pk}  # park1


def test_worklist_pages(world, client_for):
    for i in range(30):
        make_case(world, due_on=day("2026-06-16") + datetime.timedelta(days=i))
    handler = client_for("department")
    first, second = _worklist_ids(handler), _worklist_ids(handler, page=2)
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


def test_catalogue_is_grouped_by_phase(world, client_for):
    response = client_for("department").get(reverse("approvals:catalogue"), **EN)
    page = text(response)
    for phase in (
        "Project approval and land-use planning",
        "Construction-works planning permit",
        "Utility connections",
    ):
        assert phase in page
    assert (
        page.index("企业投资项目备案") < page.index("建设工程规划许可证") < page.index("供电接入")
    )
    assert "15 Natural days" in page  # 供电接入
    html = response.content.decode()
    assert world.item_works_b.get_absolute_url() not in html  # another district's catalogue
    assert world.item_works_a.get_absolute_url() in html


def test_a_cycle_in_the_catalogue_form_is_named_and_nothing_is_saved(world, client_for):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    first = items["XM-01"]
    admin = client_for("admin")
    url = reverse("approvals:item_edit", args=[first.pk])
    form = admin.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "materials"}
    data.update(
        time_limit=5,
        prerequisites=[items["GC-01"].pk],
        materials=[m.pk for m in first.materials.all()],
    )
    response = admin.post(url, data, **EN)
    assert response.status_code == 400
    error = re.search(r'data-field="prerequisites">([^<]+)<', response.content.decode()).group(1)
    assert "cycle" in error
    for name in (
        "企业投资项目备案",
        "建设工程规划许可证",
        "建设用地规划许可证",
        "用地预审与选址意见书",
    ):
        assert name in error
    first.refresh_from_db()
    assert first.time_limit == 3 and not first.prerequisites.exists()  # nothing saved

    data["prerequisites"] = []
    response = admin.post(url, data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.time_limit == 5


def test_catalogue_item_edit_sets_prerequisites_through_the_service(world, client_for):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    item = world.item_works_a
    admin = client_for("admin")
    url = reverse("approvals:item_edit", args=[item.pk])
    data = {k: v for k, v in admin.get(url).context["form"].initial.items() if v is not None}
    data.update(
        prerequisites=[items["GC-01"].pk], time_limit_unit="natural_day", time_limit=7, materials=[]
    )
    assert admin.post(url, data).status_code == 302
    item.refresh_from_db()
    assert list(item.prerequisites.all()) == [items["GC-01"]] and item.time_limit == 7
    assert (
        DomainEvent.objects.for_object(item).filter(verb="approval_item.prerequisites_set").exists()
    )
    # Cases already registered keep the limit they started with.
    assert ApprovalCase.objects.get(pk=world.case_a.pk).time_limit == 3
    page = text(client_for("department").get(item.get_absolute_url(), **EN))
    assert "建设工程规划许可证" in page and "7 Natural days" in page


# ---------------------------------------------------------------------------------------
# Django admin


@pytest.fixture
def staff_admin(world, client_for):
    user = world.user_admin
    user.is_staff = True
    user.save()
    return client_for("admin")


def test_admin_rejects_a_cycle_in_the_prerequisites(world, staff_admin):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    first = items["XM-01"]
    url = reverse("admin:approvals_approvalitem_change", args=[first.pk])
    page = staff_admin.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, list | tuple):
            value = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if not value:
                continue
            value = "on"
        data[name] = value
    data["prerequisites"] = [items["GC-01"].pk]
    response = staff_admin.post(url, data, **EN)
    assert response.status_code == 200  # the form again, with the error
    assert "would make a cycle" in response.content.decode()
    assert not first.prerequisites.exists()
    data["prerequisites"] = [items["XM-05"].pk]  # 节能审查 itself needs 备案
    response = staff_admin.post(url, data, **EN)
    assert "would make a cycle" in response.content.decode()
    data["prerequisites"] = [world.item_works_a.pk]
    data["time_limit"] = 9
    response = staff_admin.post(url, data, **EN)
    assert response.status_code == 302
    assert list(first.prerequisites.all()) == [world.item_works_a]
    # written by the catalogue service: its event names what changed, with the history
    event = DomainEvent.objects.for_object(first).get(verb="approval_item.updated")
    assert event.actor == world.user_admin and event.data["changed"] == ["time_limit"]
    first.refresh_from_db()
    assert first.time_limit == 9 and first.history.first().history_user == world.user_admin


def test_admin_adds_an_item_through_the_service(world, staff_admin):
    url = reverse("admin:approvals_approvalitem_add")
    data = {
        "code": "ZZ-01",
        "name": "测试事项",
        "department": world.dept_works_a.pk,
        "level": ApprovalItem._meta.get_field("level").choices[0][0],
        "phase": ApprovalItem._meta.get_field("phase").choices[0][0],
        "time_limit": 5,
        "time_limit_unit": ApprovalItem._meta.get_field("time_limit_unit").choices[0][0],
        "special_time_limit": 10,
        "is_active": "on",
        "sort_order": 1,
    }
    response = staff_admin.post(url, data, **EN)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = ApprovalItem.objects.get(code="ZZ-01")
    assert item.district == world.district_a  # the admin's own district
    assert DomainEvent.objects.for_object(item).filter(verb="approval_item.created").exists()


def test_admin_shows_cases_read_only(world, staff_admin):
    case = world.case_a
    CasePause.objects.create(
        case=case,
        kind=PauseKind.SUPPLEMENT,
        reason="缺营业执照",
        started_on=day("2026-06-15"),
        created_by=world.user_department,
    )
    url = reverse("admin:approvals_approvalcase_change", args=[case.pk])
    response = staff_admin.get(url)
    assert response.status_code == 200 and "缺营业执照" in response.content.decode()
    assert 'name="_save"' not in response.content.decode()
    response = staff_admin.post(url, {"status": "done"})
    assert response.status_code == 403
    assert ApprovalCase.objects.get(pk=case.pk).status == CaseStatus.PENDING
    assert staff_admin.get(reverse("admin:approvals_approvalcase_changelist")).status_code == 200
    assert staff_admin.get(reverse("admin:approvals_jointdecision_changelist")).status_code == 200
    # Another district's case is not there.
    assert (
        staff_admin.get(
            reverse("admin:approvals_approvalcase_change", args=[world.case_b.pk])
        ).status_code
        == 404
    )
