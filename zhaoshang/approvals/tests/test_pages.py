"""The approval pages over the test world: a case through its life on its page, the
worklist with its lights and order, the project's approvals tab and the catalogue.

World: ``case_a`` (project1_a, 城市建筑垃圾处置核准, held by 建设局 — the department of
``department``), ``case_out_a`` (project2_a, 用地预审, held by 国土局), ``case_b`` (district b).
Time is frozen at 2026-06-15, a Monday; 2026-06-19 is the Dragon Boat holiday.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import CaseStatus, PauseKind
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.approvals.tests.pages import EN, action_url, day, worklist_ids
from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification


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
    assert case.pk not in worklist_ids(handler)


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
