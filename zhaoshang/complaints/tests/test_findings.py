"""The accused department does not judge its own complaint (issue 16 point 5, SPEC §20).

The department complained about answers with the facts (its account, its own view, a file);
the supervision office verifies them and records the finding with its reasoning, overruling
the department's view with a reason when it differs; only the office's finding writes to the
ledger (属实/部分属实: one entry against the department, dated the day of the finding;
不属实: none). The department's time limits end with its account; the office's verification
has its own (5 working days), lit on the desk but not a signal against the department.

Today is Monday 2026-06-15 (the frozen clock); 端午节 Friday 19 June is off.
"""

from __future__ import annotations

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.complaints import services
from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.core import clock
from zhaoshang.core.models import DomainEvent

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


@pytest.fixture
def accepted(world):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    return services.accept_complaint(world.user_department, complaint)


def _answer(world, complaint, view="unfounded", **extra):
    return services.answer_complaint(
        world.user_department,
        complaint,
        department_view=view,
        account="执法程序合法，罚款有据。",
        **extra,
    )


def _verify(world, complaint, outcome, *, user=None, **extra):
    data = {"finding_reason": "调阅执法记录并询问当事人核实。", "answer": "经核实，已作处理。"}
    return services.verify_complaint(
        user or world.user_supervisor, complaint, outcome=outcome, **{**data, **extra}
    )


def _entries(complaint):
    return LedgerEntry.objects.filter(evidence_id=complaint.pk)


def _verbs(complaint):
    return list(
        DomainEvent.objects.for_object(complaint).order_by("id").values_list("verb", flat=True)
    )


# ---------------------------------------------------------------------------------------
# The department states the facts; it records no finding


def test_the_department_answers_with_the_facts_and_records_no_finding(world, accepted):
    pdf = SimpleUploadedFile("情况说明.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    complaint = _answer(world, accepted, view="substantiated", attachment=pdf)
    assert complaint.status == ComplaintStatus.VERIFYING
    assert complaint.department_view == "substantiated" and complaint.account
    assert complaint.answered_on == D(2026, 6, 15)
    # Its own view of 属实 is no finding: nothing in the ledger, no answer to the enterprise.
    assert complaint.outcome == "" and complaint.answer == "" and complaint.found_on is None
    assert not _entries(complaint).exists()
    assert [a.original_name for a in complaint.attachments.all()] == ["情况说明.pdf"]
    assert _verbs(complaint)[-2:] == ["complaint.answered", "complaint.attachment_added"]
    # The office is told to verify.
    assert world.user_supervisor.notifications.filter(verb="complaint.answered").exists()


@pytest.mark.parametrize("who", ["department", "officer", "outsider"])
def test_the_department_cannot_record_a_finding(world, client_for, accepted, who):
    complaint = _answer(world, accepted, view="unfounded")
    user = getattr(world, f"user_{who}")
    with pytest.raises(PermissionDenied):
        _verify(world, complaint, "unfounded", user=user)
    client = client_for(who)
    data = {"version": complaint.version, "outcome": "unfounded", "finding_reason": "x"}
    data["answer"] = "x"
    assert client.post(reverse("complaints:verify", args=[complaint.pk]), data).status_code == 403
    api = client.post(
        f"/api/v1/complaints/{complaint.pk}/verify/", data, content_type="application/json"
    )
    assert api.status_code == 403
    # No verify form on its page.
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert 'data-action="verify"' not in page
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.VERIFYING and complaint.outcome == ""


def test_the_api_refuses_a_finding_sent_with_the_departments_answer(world, client_for, accepted):
    client = client_for("department")
    response = client.post(
        f"/api/v1/complaints/{accepted.pk}/answer/",
        {"department_view": "unfounded", "account": "无此事。", "outcome": "unfounded"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["outcome"]
    accepted.refresh_from_db()
    assert accepted.status == ComplaintStatus.ACCEPTED and accepted.outcome == ""


def test_the_office_does_not_judge_a_complaint_against_itself(world):
    """A complaint against the supervision office: its own people may not record the
    finding (an admin may)."""
    complaint = make_complaint(world, department=world.dept_supervision_a)
    complaint = services.dispatch_complaint(world.user_admin, complaint)
    complaint = services.accept_complaint(world.user_supervisor, complaint)
    complaint = services.answer_complaint(
        world.user_supervisor, complaint, department_view="unfounded", account="已按程序办理。"
    )
    with pytest.raises(PermissionDenied):
        _verify(world, complaint, "unfounded")
    assert _verify(world, complaint, "unfounded", user=world.user_admin).found_by == (
        world.user_admin
    )


# ---------------------------------------------------------------------------------------
# The office's finding, overruling, and the ledger


def test_the_office_overrules_the_department_and_the_ledger_follows_its_finding(
    world, client_for, accepted
):
    """The department says 不属实 on Monday 15 June; the office finds 属实 on Wednesday
    17 June: the department's view is overruled with the reason, and one entry of the
    substantiated-complaint rule (−2 by default) is written against 建设局, dated 17 June."""
    complaint = _answer(world, accepted, view="unfounded")
    with pytest.raises(ValidationError) as exc:
        _verify(world, complaint, "substantiated")  # no reason to overrule
    assert list(exc.value.message_dict) == ["overrule_reason"]
    assert not _entries(complaint).exists()
    with time_machine.travel("2026-06-17 10:00 +0800", tick=False):
        complaint = _verify(
            world, complaint, "substantiated", overrule_reason="执法记录显示未告知整改期限。"
        )
    assert complaint.status == ComplaintStatus.ANSWERED
    assert complaint.outcome == "substantiated" and complaint.department_view == "unfounded"
    assert complaint.overruled and complaint.overrule_reason == "执法记录显示未告知整改期限。"
    assert complaint.found_on == D(2026, 6, 17) and complaint.found_by == world.user_supervisor
    (entry,) = _entries(complaint)
    assert entry.rule_code == RuleCode.SUBSTANTIATED_COMPLAINT
    assert entry.department == world.dept_works_a
    assert (entry.occurred_on, entry.year, entry.points) == (D(2026, 6, 17), 2026, -2)
    assert _verbs(complaint)[-2:] == ["complaint.verified", "complaint.overruled"]
    # The department is told; the page shows the finding, the overruling and its reason.
    assert world.user_department.notifications.filter(verb="complaint.verified").exists()
    html = client_for("department").get(complaint.get_absolute_url()).content.decode()
    assert 'data-testid="overruled"' in html and "执法记录显示未告知整改期限。" in html
    assert 'data-testid="account"' in html and "执法程序合法，罚款有据。" in html
    data = client_for("supervisor").get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert (data["department_view"], data["outcome"], data["overruled"]) == (
        "unfounded",
        "substantiated",
        True,
    )


@pytest.mark.parametrize(
    ("view", "finding", "overruled", "entries"),
    [
        ("substantiated", "unfounded", True, 0),  # 不属实 writes nothing, even overruling
        ("unfounded", "unfounded", False, 0),
        ("unfounded", "partly", True, 1),  # 部分属实 writes one entry
        ("partly", "partly", False, 1),
        ("substantiated", "substantiated", False, 1),
    ],
)
def test_only_the_offices_finding_writes_the_ledger(
    world, accepted, view, finding, overruled, entries
):
    complaint = _answer(world, accepted, view=view)
    reason = {"overrule_reason": "现场核查结论不同。"} if overruled else {}
    complaint = _verify(world, complaint, finding, **reason)
    assert complaint.overruled is overruled
    assert bool(complaint.overrule_reason) is overruled
    assert _entries(complaint).count() == entries
    assert ("complaint.overruled" in _verbs(complaint)) is overruled


def test_an_unapproved_visit_found_substantiated_is_its_own_rule(world):
    complaint = make_complaint(world, category="inspections", reports_unapproved_visit=True)
    complaint = services.dispatch_complaint(world.user_supervisor, complaint)
    complaint = services.accept_complaint(world.user_department, complaint)
    complaint = _answer(world, complaint, view="unfounded")
    complaint = _verify(world, complaint, "substantiated", overrule_reason="无审批验证码。")
    assert list(_entries(complaint).values_list("rule_code", flat=True)) == [
        RuleCode.UNAPPROVED_INSPECTION
    ]


# ---------------------------------------------------------------------------------------
# Every error at once


def test_the_finding_reports_every_error_at_once_and_saves_nothing(world, accepted):
    complaint = _answer(world, accepted, view="unfounded")
    with pytest.raises(ValidationError) as exc:
        services.verify_complaint(
            world.user_supervisor, complaint, outcome="maybe", finding_reason=" ", answer=""
        )
    assert exc.value.message_dict == {
        "outcome": ["Choose the finding: substantiated, partly or not."],
        "finding_reason": ["Give the reasoning of the finding: what was verified."],
        "answer": ["Write the answer to the enterprise."],
    }
    with pytest.raises(ValidationError) as exc:
        services.verify_complaint(
            world.user_supervisor, complaint, outcome="partly", finding_reason="", answer=""
        )
    assert set(exc.value.message_dict) == {"finding_reason", "answer", "overrule_reason"}
    assert exc.value.message_dict["overrule_reason"] == [
        "The finding differs from the department's view (Not substantiated): give the reason "
        "for overruling it."
    ]
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.VERIFYING and complaint.outcome == ""
    assert not _entries(complaint).exists()


def test_the_pages_and_the_api_show_every_error_at_once(world, client_for, accepted):
    department = client_for("department")
    url = reverse("complaints:answer", args=[accepted.pk])
    response = department.post(url, {"version": accepted.version})
    assert response.status_code == 400
    errors = response.context["actions"][0][1].errors
    assert set(errors) == {"department_view", "account"}
    complaint = _answer(world, accepted)
    office = client_for("supervisor")
    url = reverse("complaints:verify", args=[complaint.pk])
    response = office.post(url, {"version": complaint.version, "outcome": "substantiated"})
    assert response.status_code == 400
    (form,) = [f for a, f, _u in response.context["actions"] if a.slug == "verify"]
    assert set(form.errors) == {"finding_reason", "answer", "overrule_reason"}
    response = office.post(
        f"/api/v1/complaints/{complaint.pk}/verify/",
        {"outcome": "substantiated"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"finding_reason", "answer", "overrule_reason"}
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.VERIFYING and complaint.version == 4


def test_the_verify_button_records_the_finding(world, client_for, accepted):
    complaint = _answer(world, accepted, view="unfounded")
    office = client_for("supervisor")
    page = office.get(complaint.get_absolute_url()).content.decode()
    assert 'data-action="verify"' in page and 'data-action="answer"' not in page
    response = office.post(
        reverse("complaints:verify", args=[complaint.pk]),
        {
            "version": complaint.version,
            "outcome": "unfounded",
            "finding_reason": "核实无误。",
            "answer": "经核实，罚款依据充分。",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED and not complaint.overruled


# ---------------------------------------------------------------------------------------
# Time limits: whose step they apply to


def test_the_departments_limit_ends_with_its_account_and_the_office_has_its_own(world, accepted):
    from zhaoshang.monitoring.sources import complaints as scan_source

    # Accepted Monday 15 June: answer by 23 June (+5 working days, 19 June off).
    assert accepted.due_on == accepted.answer_by == D(2026, 6, 23)
    with time_machine.travel("2026-06-18 10:00 +0800", tick=False):
        complaint = _answer(world, accepted)
    # Answered Thursday 18 June, on time: verify by 18 June + 5 working days = 22, 23, 24,
    # 25, 26 June (19 June off) → Friday 26 June.
    assert complaint.answered_on == D(2026, 6, 18)
    assert complaint.verify_by == complaint.due_on == D(2026, 6, 26)
    # On 25 June the office's verification is due soon on the desk; the department's light
    # is off: the daily scan holds no signal against it, and it did not answer late.
    with time_machine.travel("2026-06-25 10:00 +0800", tick=False):
        today = clock.today()
        row = Complaint.objects.with_days_left(today).get(pk=complaint.pk)
        assert (row.days_left, row.light) == (1, "yellow")
        assert complaint.pk not in {r[0] for r in scan_source(today)}
        assert not Complaint.objects.answered_late(today).filter(pk=complaint.pk).exists()
    # Still unverified on 29 June: red on the desk (the office is late, not the department).
    with time_machine.travel("2026-06-29 10:00 +0800", tick=False):
        row = Complaint.objects.with_days_left(clock.today()).get(pk=complaint.pk)
        assert row.light == "red"
        assert not Complaint.objects.answered_late(clock.today()).filter(pk=complaint.pk)
        complaint = _verify(world, complaint, "unfounded")
    assert complaint.due_on is None
    assert Complaint.objects.with_days_left(D(2026, 6, 29)).get(pk=complaint.pk).light == "none"


def test_a_dissatisfied_enterprise_sends_it_back_to_the_department_then_the_office(world, accepted):
    complaint = _verify(world, _answer(world, accepted), "unfounded")
    complaint = services.rate_complaint(
        world.user_supervisor, complaint, rating="dissatisfied", reason="答复没有解决问题。"
    )
    assert complaint.status == ComplaintStatus.ACCEPTED and complaint.due_on == (
        complaint.answer_by
    )
    complaint = _answer(world, complaint, view="unfounded")
    assert complaint.status == ComplaintStatus.VERIFYING
    complaint = _verify(world, complaint, "partly", overrule_reason="复查发现部分属实。")
    assert complaint.overruled and _entries(complaint).count() == 1
    complaint = services.rate_complaint(world.user_supervisor, complaint, rating="fairly")
    assert complaint.status == ComplaintStatus.CLOSED


# ---------------------------------------------------------------------------------------
# The data migration


def test_findings_recorded_before_verification_are_carried_over(world, accepted):
    """Migration 0005: a complaint the department answered with an outcome under the old
    rule keeps the outcome (its ledger entries are written), which is also its view; its
    answer is its account; the finding is dated that answer and names no one."""
    migration = importlib.import_module("zhaoshang.complaints.migrations.0005_complaint_findings")
    Complaint.objects.filter(pk=accepted.pk).update(
        status=ComplaintStatus.ANSWERED,
        outcome="partly",
        answer="已部分整改。",
        answered_on=D(2026, 6, 12),
    )
    untouched = make_complaint(world)
    migration.carry_over_findings(apps, None)
    complaint = Complaint.objects.get(pk=accepted.pk)
    assert (complaint.department_view, complaint.account) == ("partly", "已部分整改。")
    assert (complaint.outcome, complaint.found_on, complaint.found_by) == (
        "partly",
        D(2026, 6, 12),
        None,
    )
    assert complaint.finding_predates_verification and not complaint.overruled
    untouched.refresh_from_db()
    assert untouched.department_view == "" and untouched.found_on is None
