"""Complaints through their life (SPEC §9): receive, dispatch, accept, answer with the facts,
verify (the supervision office's finding), rate; bad input is refused with a message naming
the field and saves nothing; a substantiated finding writes one ledger entry; 不满意 reopens a complaint once; the contact is hidden from the
department complained about unless the complainant consented; scoping."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.complaints import services
from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.core.models import DomainEvent

pytestmark = pytest.mark.usefixtures("english")


def _answer_and_verify(world, complaint, outcome):
    """The department answers with the facts (its view agreeing), the office finds."""
    complaint = services.answer_complaint(
        world.user_department, complaint, department_view=outcome, account="已退还罚款并整改。"
    )
    return services.verify_complaint(
        world.user_supervisor,
        complaint,
        outcome=outcome,
        finding_reason="调阅执法记录核实。",
        answer="经核实，已退还罚款并整改。",
    )


def _through_answer(world, complaint, outcome="substantiated"):
    complaint = services.dispatch_complaint(world.user_supervisor, complaint)
    complaint = services.accept_complaint(world.user_department, complaint)
    return _answer_and_verify(world, complaint, outcome)


def _ledger(complaint):
    return LedgerEntry.objects.filter(
        rule_code=RuleCode.SUBSTANTIATED_COMPLAINT, evidence_id=complaint.pk
    )


def test_receive_numbers_and_logs(world):
    first = make_complaint(world)
    second = make_complaint(world, by=world.user_bureau)
    assert first.number == "TS-2026-0001"
    assert second.number == "TS-2026-0002"
    assert first.status == ComplaintStatus.RECEIVED
    assert DomainEvent.objects.for_object(first).filter(verb="complaint.received").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("enterprise", None, "Choose the enterprise that complains."),
        ("department", None, "Choose the department complained about."),
        ("channel", "fax", "Choose how the complaint came in."),
        ("category", "", "Choose the category of the complaint."),
        ("text", "   ", "Write what the enterprise complains about."),
        ("received_on", datetime.date(2026, 7, 1), "The date cannot be in the future."),
    ],
)
def test_receive_refuses_bad_input_naming_the_field(world, field, value, message):
    with pytest.raises(ValidationError) as exc:
        make_complaint(world, **{field: value})
    assert exc.value.message_dict[field] == [message]
    assert not Complaint.objects.exists()


def test_receive_refuses_records_of_another_district(world):
    with pytest.raises(ValidationError) as exc:
        make_complaint(world, department=world.dept_works_b)
    assert exc.value.message_dict["department"] == ["The department belongs to another district."]
    with pytest.raises(ValidationError) as exc:
        make_complaint(world, project=world.project2_a, enterprise=world.project1_a.enterprise)
    if world.project2_a.enterprise_id != world.project1_a.enterprise_id:
        assert "project" in exc.value.message_dict
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("who", ["department", "leader", "city", "park"])
def test_only_receivers_receive(world, who):
    with pytest.raises(PermissionDenied):
        make_complaint(world, by=getattr(world, f"user_{who}"))
    assert not Complaint.objects.exists()


def test_an_enterprise_lodges_only_its_own_complaints(world):
    """The enterprise's contact lodges for its own enterprise (portal tests), not another's."""
    with pytest.raises(PermissionDenied):
        make_complaint(world, project=world.project2_a, by=world.user_enterprise, channel="portal")
    assert not Complaint.objects.exists()


def test_staff_never_record_the_enterprise_s_own_channel(world):
    """企业门户 is the channel of the complaints the enterprise lodges itself: a complaint
    received by staff on its behalf came by phone, visit, letter or 12345."""
    with pytest.raises(ValidationError) as caught:
        make_complaint(world, channel="portal", text="")
    assert set(caught.value.message_dict) >= {"channel", "text"}  # every problem at once
    assert not Complaint.objects.exists()


def test_dispatch_sets_due_dates_in_working_days(world):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    # Frozen on Monday 2026-06-15: 1 working day → Tuesday; 5 → the next Monday (no holiday
    # in that week of the test calendar other than the weekend).
    assert complaint.status == ComplaintStatus.DISPATCHED
    assert complaint.dispatched_on == datetime.date(2026, 6, 15)
    assert complaint.accept_by == datetime.date(2026, 6, 16)
    assert complaint.answer_by > complaint.accept_by
    assert complaint.due_on == complaint.accept_by
    accepted = services.accept_complaint(world.user_officer, complaint)
    assert accepted.due_on == accepted.answer_by


def test_the_wrong_department_cannot_accept(world):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    land = make_complaint(world, department=world.dept_land_a)
    land = services.dispatch_complaint(world.user_supervisor, land)
    with pytest.raises(PermissionDenied):
        services.accept_complaint(world.user_department, land)
    with pytest.raises(PermissionDenied):
        services.dispatch_complaint(world.user_bureau, make_complaint(world))
    assert services.accept_complaint(world.user_admin, complaint).status == "accepted"


def test_actions_out_of_order_are_refused(world):
    complaint = make_complaint(world)
    with pytest.raises(ValidationError) as exc:
        services.accept_complaint(world.user_department, complaint)
    assert list(exc.value.message_dict) == ["status"]
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED and complaint.version == 1


def test_answer_refuses_bad_input_and_saves_nothing(world):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    complaint = services.accept_complaint(world.user_department, complaint)
    with pytest.raises(ValidationError) as exc:
        services.answer_complaint(
            world.user_department, complaint, department_view="maybe", account=""
        )
    assert exc.value.message_dict == {
        "department_view": [
            "Say whether the department finds the complaint substantiated, partly or not."
        ],
        "account": ["State the facts: what the department did and why."],
    }
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACCEPTED and not complaint.account
    assert not _ledger(complaint).exists()


def test_substantiated_complaint_writes_one_ledger_entry(world):
    complaint = _through_answer(world, make_complaint(world))
    assert _ledger(complaint).count() == 1
    entry = _ledger(complaint).get()
    assert entry.department == world.dept_works_a
    # Dissatisfied: reopened once, answered again as substantiated — still one entry.
    complaint = services.rate_complaint(
        world.user_supervisor, complaint, rating="dissatisfied", reason="答复没有解决问题。"
    )
    assert complaint.status == ComplaintStatus.ACCEPTED and complaint.reopened
    complaint = _answer_and_verify(world, complaint, "substantiated")
    assert _ledger(complaint).count() == 1


@pytest.mark.parametrize("outcome", ["partly", "unfounded"])
def test_other_outcomes(world, outcome):
    complaint = _through_answer(world, make_complaint(world), outcome)
    assert _ledger(complaint).count() == (1 if outcome == "partly" else 0)


def test_dissatisfied_reopens_only_once(world):
    complaint = _through_answer(world, make_complaint(world), "unfounded")
    complaint = services.rate_complaint(
        world.user_bureau, complaint, rating="dissatisfied", reason="答复没有解决问题。"
    )
    assert complaint.status == ComplaintStatus.ACCEPTED
    assert complaint.due_on == complaint.answer_by
    complaint = _answer_and_verify(world, complaint, "unfounded")
    complaint = services.rate_complaint(
        world.user_bureau, complaint, rating="dissatisfied", reason="答复没有解决问题。"
    )
    assert complaint.status == ComplaintStatus.CLOSED
    assert complaint.rating == "dissatisfied"


def test_satisfied_closes_and_bad_rating_is_refused(world):
    complaint = _through_answer(world, make_complaint(world), "unfounded")
    with pytest.raises(ValidationError) as exc:
        services.rate_complaint(world.user_bureau, complaint, rating="great")
    assert exc.value.message_dict == {"rating": ["Choose the enterprise's rating."]}
    complaint = services.rate_complaint(world.user_bureau, complaint, rating="satisfied")
    assert complaint.status == ComplaintStatus.CLOSED and not complaint.reopened


def test_stale_version_is_refused(world):
    complaint = make_complaint(world)
    with pytest.raises(ValidationError) as exc:
        services.dispatch_complaint(world.user_supervisor, complaint, expected_version=7)
    assert exc.value.code == "concurrent_edit"
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


# ---------------------------------------------------------------------------------------
# The contact is hidden from the department complained about unless the complainant agreed


@pytest.mark.parametrize(
    ("who", "consent", "shown"),
    [
        ("department", False, False),
        ("officer", False, False),
        ("department", True, True),
        ("supervisor", False, True),
        ("admin", False, True),
        ("bureau", False, True),
    ],
)
def test_contact_hiding_rule(world, who, consent, shown):
    complaint = make_complaint(world, contact_consent=consent)
    contact = complaint.contact_for(getattr(world, f"user_{who}"))
    assert (contact["phone"] == "13800000000") is shown
    assert (contact["name"] == "王经理") is shown


@pytest.mark.parametrize(("who", "shown"), [("department", False), ("supervisor", True)])
def test_contact_hiding_on_the_page_and_the_api(client_for, world, who, shown):
    complaint = make_complaint(world)
    client = client_for(who)
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert page.status_code == 200
    assert ("13800000000" in page.content.decode()) is shown
    data = client.get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert (data["contact_phone"] == "13800000000") is shown


def test_contact_of_the_other_department_is_not_hidden(world):
    complaint = make_complaint(world, department=world.dept_land_a)
    assert complaint.contact_for(world.user_department)["phone"] == "13800000000"


# ---------------------------------------------------------------------------------------
# Scoping


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("supervisor", {"in", "out"}),
        ("department", {"in", "out"}),
        ("park", {"in"}),
        ("enterprise", set()),
        ("bureau_b", {"other"}),
        ("city", {"in", "out", "other"}),
    ],
)
def test_scoping(world, targets, who, visible):
    user = getattr(world, f"user_{who}")
    seen = set(Complaint.objects.visible_to(user).values_list("pk", flat=True))
    assert seen == {targets[t].pk for t in visible}


# ---------------------------------------------------------------------------------------
# Pages and the API


def test_desk_shows_lights_and_detail_runs_actions(client_for, world):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    desk = client_for("supervisor").get(reverse("complaints:list"))
    html = desk.content.decode()
    # Accept by tomorrow: one working day left, due soon.
    assert complaint.number in html and 'data-light="yellow"' in html
    client = client_for("department")
    response = client.post(reverse("complaints:accept", args=[complaint.pk]), {"version": 2})
    assert response.status_code == 302
    response = client.post(
        reverse("complaints:answer", args=[complaint.pk]),
        {"version": 3, "department_view": "substantiated", "account": ""},
    )
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACCEPTED


def test_receive_page(client_for, world):
    client = client_for("supervisor")
    response = client.post(
        reverse("complaints:create"),
        {
            "enterprise": world.project1_a.enterprise_id,
            "project": world.project1_a.pk,
            "department": world.dept_works_a.pk,
            "channel": "12345",
            "category": "attitude",
            "text": "窗口人员态度差。",
        },
    )
    assert response.status_code == 302
    assert Complaint.objects.get().channel == "12345"


def test_api_life(client_for, world):
    client = client_for("supervisor")
    response = client.post(
        "/api/v1/complaints/",
        {
            "enterprise": world.project1_a.enterprise_id,
            "department": world.dept_works_a.pk,
            "channel": "visit",
            "category": "efficiency",
            "text": "审批拖延。",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["number"] == "TS-2026-0001"
    response = client.post(
        f"/api/v1/complaints/{pk}/dispatch/", {}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "dispatched"
    assert response.json()["light"] == "yellow"
    department = client_for("department")
    assert department.post(f"/api/v1/complaints/{pk}/dispatch/", {}).status_code == 403
    response = department.post(
        f"/api/v1/complaints/{pk}/accept/", {}, content_type="application/json"
    )
    assert response.status_code == 200
    response = department.post(
        f"/api/v1/complaints/{pk}/answer/",
        {"department_view": "substantiated"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "account" in response.json()
    assert client_for("bureau_b").get(f"/api/v1/complaints/{pk}/").status_code == 404
    assert client_for("enterprise").get("/api/v1/complaints/").status_code == 403


# ---------------------------------------------------------------------------------------
# A report of an inspection or fee without approval (涉企检查 → 乱检查 complaint)


@pytest.mark.parametrize(
    ("flag", "outcome", "rule"),
    [
        (True, "substantiated", RuleCode.UNAPPROVED_INSPECTION),
        (True, "partly", RuleCode.UNAPPROVED_INSPECTION),
        (False, "substantiated", RuleCode.SUBSTANTIATED_COMPLAINT),
    ],
)
def test_unapproved_visit_writes_its_own_rule_once(world, flag, outcome, rule):
    complaint = make_complaint(world, category="inspections", reports_unapproved_visit=flag)
    assert complaint.reports_unapproved_visit is flag
    complaint = _through_answer(world, complaint, outcome)
    entries = LedgerEntry.objects.filter(evidence_id=complaint.pk)
    assert list(entries.values_list("rule_code", flat=True)) == [rule]


def test_unfounded_unapproved_visit_writes_nothing(world):
    complaint = make_complaint(world, reports_unapproved_visit=True)
    complaint = _through_answer(world, complaint, "unfounded")
    assert not LedgerEntry.objects.filter(evidence_id=complaint.pk).exists()


def test_unapproved_visit_badge_and_read_only_api(client_for, world):
    complaint = make_complaint(world, reports_unapproved_visit=True)
    client = client_for("supervisor")
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert 'data-testid="unapproved-visit"' in page.content.decode()
    plain = make_complaint(world)
    page = client.get(reverse("complaints:detail", args=[plain.pk]))
    assert 'data-testid="unapproved-visit"' not in page.content.decode()
    assert client.get(f"/api/v1/complaints/{complaint.pk}/").json()["reports_unapproved_visit"]
    response = client.post(
        "/api/v1/complaints/",
        {
            "enterprise": world.project1_a.enterprise_id,
            "department": world.dept_works_a.pk,
            "channel": "visit",
            "category": "inspections",
            "text": "未经审批入企检查。",
            "reports_unapproved_visit": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["reports_unapproved_visit"] is False


def test_a_stale_version_is_409_on_the_page_and_in_the_api(client_for, world):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    client = client_for("department")
    response = client.post(reverse("complaints:accept", args=[complaint.pk]), {"version": 1})
    assert response.status_code == 409
    assert 'data-testid="stale"' in response.content.decode()
    response = client.post(
        f"/api/v1/complaints/{complaint.pk}/accept/",
        {"version": 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.DISPATCHED and complaint.version == 2
