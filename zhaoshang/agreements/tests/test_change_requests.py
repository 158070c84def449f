"""A filed commitment changes only with approval (issue 16, point 9): a department cannot
move a milestone of a commitment filed with the park committee, nor one already missed;
it asks (which milestones, their dates as filed and the new ones, the reason), the park
committee or the supervision office approves — the milestones move and a new archive
version is filed — or refuses with the reason; the ledger cites the date as filed.

The world's commitment (``make_commitment``): 建设局's, on project1_a (park 1, whose
committee is the "park" user's), planned from 2026-06-01 backwards from the target
2026-07-31 (a Friday) in steps of 10, 5 and 5 working days: 施工许可核发 due 07-31,
质量安全监督备案 5 working days before it, 07-24 (Fri), 施工图审查 5 before that, 07-17
(Fri) — no holiday lies between (端午 is 06-19). Today is 2026-06-15 (Monday)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ChangeStatus
from zhaoshang.agreements.models import ArchiveVersion, ChangeRequest, Milestone
from zhaoshang.agreements.schedule import Step
from zhaoshang.agreements.tests.conftest import day
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.notifications.models import Notification
from zhaoshang.testing.world import SHANGHAI


@pytest.fixture
def api_for(client_for):
    """api_for("park") → that world user's client sending JSON, answered in English."""

    def make(username: str):
        client = client_for(username)

        class Json:
            def post(self, url, data=None):
                return client.post(
                    url, data or {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
                )

        return Json()

    return make


@pytest.fixture
def filed(world, make_commitment):
    commitment = make_commitment()
    services.file_commitment(world.user_department, commitment, note="首次报送")
    commitment.refresh_from_db()
    return commitment


def _schedule(commitment) -> list[Milestone]:
    return list(Milestone.objects.filter(commitment=commitment).order_by("seq"))


def test_the_schedule_is_as_the_module_says(filed):
    assert [m.due_on for m in _schedule(filed)] == [
        day("2026-07-17"),
        day("2026-07-24"),
        day("2026-07-31"),
    ]


def test_a_department_cannot_move_a_filed_milestone(world, filed, client_for, api_for):
    first = _schedule(filed)[0]
    with pytest.raises(ValidationError, match="change request approved by the park committee"):
        services.reschedule_milestone(
            world.user_department, first, due_on=day("2026-07-20"), reason="图审延期"
        )
    # nor the bureau: nobody moves a filed milestone by hand
    with pytest.raises(ValidationError, match="filed with the park committee"):
        services.reschedule_milestone(
            world.user_bureau, first, due_on=day("2026-07-20"), reason="图审延期"
        )
    # nor by planning the whole schedule again
    with pytest.raises(ValidationError, match="filed with the park committee"):
        services.replan_commitment(
            world.user_department,
            filed,
            steps=[(m.pk, Step(m.name, m.duration_workdays)) for m in _schedule(filed)],
            target_on=day("2026-08-07"),
        )
    page = client_for("department").post(
        reverse("agreements:milestone_reschedule", args=[first.pk]),
        {"version": first.version, "due_on": "2026-07-20", "reason": "图审延期"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 400 and "change request" in page.content.decode()
    api = api_for("department").post(
        f"/api/v1/commitments/{filed.pk}/reschedule/",
        {"milestone": first.pk, "due_on": "2026-07-20", "reason": "图审延期"},
    )
    assert api.status_code == 400 and "status" in api.json()
    assert [m.due_on for m in _schedule(filed)][0] == day("2026-07-17")
    assert ArchiveVersion.objects.filter(commitment=filed).count() == 1
    # the page offers no "move" form on a filed plan, but the change request
    html = client_for("department").get(filed.get_absolute_url()).content.decode()
    assert 'data-action="reschedule"' not in html and 'data-testid="change-form"' in html


def test_a_request_approved_moves_the_milestone_and_files_a_new_version(world, filed):
    first, second, last = _schedule(filed)
    change = services.request_change(
        world.user_department,
        filed,
        moves=[(second, day("2026-08-05")), (last, day("2026-08-14"))],
        target_on=day("2026-08-14"),
        reason="消防设计审查需补充材料，联席会议同意顺延",
    )
    assert change.status == ChangeStatus.PENDING and change.filed_version == 1
    moves = [(m.milestone_id, m.old_due_on, m.new_due_on) for m in change.moves.all()]
    assert moves == [
        (second.pk, day("2026-07-24"), day("2026-08-05")),
        (last.pk, day("2026-07-31"), day("2026-08-14")),
    ]
    # nothing moved yet; the approvers are told: the park committee and the supervision
    # office, not the department that asks
    assert [m.due_on for m in _schedule(filed)] == [
        day("2026-07-17"),
        day("2026-07-24"),
        day("2026-07-31"),
    ]
    told = set(
        Notification.objects.filter(verb="commitment.change_requested").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"park", "supervisor"} <= told and "department" not in told
    # the committing department cannot approve its own request
    with pytest.raises(PermissionDenied):
        services.approve_change(world.user_department, change)
    with pytest.raises(PermissionDenied):
        services.approve_change(world.user_bureau, change)
    version = services.approve_change(world.user_park, change, note="同意")
    assert version.number == 2
    assert [m.due_on for m in _schedule(filed)] == [
        day("2026-07-17"),
        day("2026-08-05"),
        day("2026-08-14"),
    ]
    filed.refresh_from_db()
    assert filed.target_on == day("2026-08-14")
    assert (filed.filed_version, filed.changed_since_filing) == (2, False)
    assert [m["due_on"] for m in version.content["milestones"]] == [
        "2026-07-17",
        "2026-08-05",
        "2026-08-14",
    ]
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.archive_version == version
    assert change.decided_by == world.user_park and change.decision_note == "同意"
    assert Notification.objects.filter(
        verb="commitment.change_approved", recipient=world.user_department
    ).exists()
    # decided once
    with pytest.raises(ValidationError, match="already decided"):
        services.refuse_change(world.user_supervisor, change, note="不同意")


def test_a_refusal_needs_its_reason_and_leaves_the_plan(world, filed):
    _first, second, _last = _schedule(filed)
    change = services.request_change(
        world.user_department, filed, moves=[(second, day("2026-07-28"))], reason="人手不足"
    )
    with pytest.raises(ValidationError) as refused:
        services.refuse_change(world.user_supervisor, change, note="")
    assert "note" in refused.value.message_dict
    services.refuse_change(world.user_supervisor, change, note="理由不充分，按原计划推进")
    change.refresh_from_db()
    assert change.status == ChangeStatus.REFUSED and change.archive_version is None
    assert _schedule(filed)[1].due_on == day("2026-07-24")
    assert ArchiveVersion.objects.filter(commitment=filed).count() == 1


def test_a_request_names_every_problem_at_once(world, filed, make_commitment):
    first, second, last = _schedule(filed)
    with pytest.raises(ValidationError) as refused:
        services.request_change(
            world.user_department,
            filed,
            # after the target without moving it; out of order; the same date; no reason
            moves=[
                (first, day("2026-07-27")),
                (second, day("2026-07-24")),
                (last, day("2026-08-07")),
            ],
            reason=" ",
        )
    errors = refused.value.message_dict
    assert errors["reason"] == ["Give the reason for the change."]
    assert any("already due on 2026-07-24" in e for e in errors["moves"])
    assert any("after the target date 2026-07-31" in e for e in errors["moves"])
    assert not ChangeRequest.objects.exists()
    # a plan not filed is moved by its department, not by request
    unfiled = make_commitment(title="未报送的承诺")
    with pytest.raises(ValidationError, match="not filed"):
        services.request_change(
            world.user_department,
            unfiled,
            moves=[(unfiled.milestones.first(), day("2026-07-20"))],
            reason="x",
        )
    # one request at a time
    services.request_change(
        world.user_department, filed, moves=[(second, day("2026-07-28"))], reason="人手不足"
    )
    with pytest.raises(ValidationError, match="awaits its decision"):
        services.request_change(
            world.user_department, filed, moves=[(last, day("2026-07-30"))], reason="又一次"
        )


def test_a_missed_milestone_cannot_be_moved_even_by_request(world, filed, _frozen_time):
    first, second, _last = _schedule(filed)
    # 2026-07-20 (Monday): 施工图审查 was due on Friday 07-17 and is not done — missed.
    _frozen_time.move_to(datetime.datetime(2026, 7, 20, 10, 0, tzinfo=SHANGHAI))
    with pytest.raises(ValidationError) as refused:
        services.request_change(
            world.user_department,
            filed,
            moves=[(first, day("2026-07-22")), (second, day("2026-07-29"))],
            reason="图审意见整改",
        )
    assert refused.value.message_dict["moves"] == [
        "Milestone “施工图审查” was due on 2026-07-17 and is missed: its due date stays, even "
        "by a change request (report it done when it is)."
    ]
    # an unfiled plan's missed milestone stays too
    with pytest.raises(ValidationError, match="is missed"):
        services.reschedule_milestone(
            world.user_bureau, first, due_on=day("2026-07-22"), reason="x"
        )
    assert _schedule(filed)[0].due_on == day("2026-07-17")


def test_a_request_made_in_time_but_decided_after_the_due_date_is_refused(
    world, filed, _frozen_time
):
    """The approvers decide before the due date: once the milestone is missed, the
    approval is refused (the miss is in the ledger) and the request can only be refused."""
    first, _second, _last = _schedule(filed)
    change = services.request_change(
        world.user_department, filed, moves=[(first, day("2026-07-22"))], reason="图审延期"
    )
    _frozen_time.move_to(datetime.datetime(2026, 7, 20, 10, 0, tzinfo=SHANGHAI))
    with pytest.raises(ValidationError, match="is missed"):
        services.approve_change(world.user_park, change)
    assert _schedule(filed)[0].due_on == day("2026-07-17")


def test_the_ledger_cites_the_date_as_filed_and_the_filing(world, filed, _frozen_time):
    first, second, last = _schedule(filed)
    change = services.request_change(
        world.user_department,
        filed,
        moves=[(second, day("2026-07-29")), (last, day("2026-08-07"))],
        target_on=day("2026-08-07"),
        reason="联席会议决定顺延",
    )
    services.approve_change(world.user_supervisor, change)
    # 2026-07-30 (Thursday): 质量安全监督备案, due 07-29 as filed in version 2, not done.
    _frozen_time.move_to(datetime.datetime(2026, 7, 30, 1, 30, tzinfo=SHANGHAI))
    services.scan()
    entries = LedgerEntry.objects.filter(
        evidence_type=ContentType.objects.get_for_model(Milestone)
    ).order_by("evidence_id")
    reasons = {e.evidence_id: e.reason for e in entries}
    # 施工图审查 (07-17) and 质量安全监督备案 (07-29) are missed; filed on 2026-06-15 (v1)
    # and approved on 2026-06-15 too (the clock stood still until the scan)
    assert reasons[second.pk] == (
        "Milestone “质量安全监督备案” of “施工许可办理服务承诺” (华鑫新能源电池项目) was not done "
        "by 2026-07-29, its due date as filed with 园区管委会 (version 2, filed on 2026-06-15)."
    )
    assert "by 2026-07-17, its due date as filed" in reasons[first.pk]
    assert "(version 2, filed on 2026-06-15)" in reasons[first.pk]
    assert last.pk not in reasons


def test_the_pages_ask_approve_and_refuse(world, filed, client_for):
    _first, second, _last = _schedule(filed)
    department = client_for("department")
    url = reverse("agreements:change_request", args=[filed.pk])
    # every error at once, on the page
    refused = department.post(
        url,
        {"version": filed.version, f"due_{second.pk}": "2026-07-24", "reason": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Give the reason for the change." in html and "already due on 2026-07-24" in html
    asked = department.post(
        url, {"version": filed.version, f"due_{second.pk}": "2026-07-28", "reason": "人手不足"}
    )
    change = ChangeRequest.objects.get()
    assert asked.status_code == 302 and asked.url == change.get_absolute_url()
    page = client_for("park").get(change.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-action="approve"' in html and "2026-07-28" in html
    # the department sees its request but no decision form
    html = department.get(change.get_absolute_url()).content.decode()
    assert 'data-action="approve"' not in html
    action = reverse("agreements:change_action", args=[change.pk, "approve"])
    assert department.post(action, {"version": change.version}).status_code == 403
    stale = client_for("park").post(action, {"version": change.version + 1})
    assert stale.status_code == 409
    done = client_for("park").post(action, {"version": change.version, "note": "同意"})
    assert done.status_code == 302
    assert _schedule(filed)[1].due_on == day("2026-07-28")
    assert ArchiveVersion.objects.filter(commitment=filed).count() == 2


def test_the_api_asks_approves_and_refuses(world, filed, api_for):
    first, second, _last = _schedule(filed)
    base = f"/api/v1/commitments/{filed.pk}/"
    asked = api_for("department").post(
        f"{base}request-change/",
        {"moves": [{"milestone": second.pk, "due_on": "2026-07-28"}], "reason": "人手不足"},
    )
    assert asked.status_code == 201, asked.json()
    body = asked.json()
    assert body["status"] == "pending"
    assert body["moves"][0]["old_due_on"] == "2026-07-24"
    assert body["moves"][0]["new_due_on"] == "2026-07-28"
    approve = f"{base}changes/{body['id']}/approve/"
    assert api_for("department").post(approve, {}).status_code == 403
    assert api_for("bureau").post(approve, {}).status_code == 403
    done = api_for("supervisor").post(approve, {"version": body["version"]})
    assert done.status_code == 200, done.json()
    assert done.json()["milestones"][1]["due_on"] == "2026-07-28"
    assert done.json()["filed_version"] == 2
    # a second request, refused without a reason: 400 naming the field; with it: refused
    asked = api_for("department").post(
        f"{base}request-change/",
        {"moves": [{"milestone": first.pk, "due_on": "2026-07-21"}], "reason": "提前完成"},
    )
    refuse = f"{base}changes/{asked.json()['id']}/refuse/"
    assert "note" in api_for("park").post(refuse, {}).json()
    assert api_for("park").post(refuse, {"note": "不必调整"}).status_code == 200
    assert ChangeRequest.objects.get(pk=asked.json()["id"]).status == ChangeStatus.REFUSED
    assert api_for("park").post(f"{base}changes/999999/refuse/", {}).status_code == 404


def test_a_filed_plan_keeps_its_dates_when_only_its_words_change(world, filed):
    """After an approved change moved one milestone (no longer where the backward plan
    would put it), the department may still reword the plan: the dates stay as filed."""
    _first, second, _last = _schedule(filed)
    change = services.request_change(
        world.user_department, filed, moves=[(second, day("2026-07-28"))], reason="人手不足"
    )
    services.approve_change(world.user_park, change)
    filed.refresh_from_db()
    services.replan_commitment(
        world.user_department,
        filed,
        steps=[(m.pk, Step(m.name, m.duration_workdays)) for m in _schedule(filed)],
        title="施工许可办理服务承诺（修订）",
    )
    assert [m.due_on for m in _schedule(filed)] == [
        day("2026-07-17"),
        day("2026-07-28"),
        day("2026-07-31"),
    ]
    filed.refresh_from_db()
    assert filed.changed_since_filing  # the new words are filed as version 3
    assert services.file_commitment(world.user_department, filed).number == 3
