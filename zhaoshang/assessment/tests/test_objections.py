"""Objections (异议): a department files one to its deduction within the open year; the
supervision office upholds it (a counter-entry cancels the points) or rejects it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import (
    AssessmentYear,
    LedgerEntry,
    Objection,
    ObjectionStatus,
    YearStatus,
)
from zhaoshang.assessment.tests.factories import make_entry, pdf
from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification

pytestmark = pytest.mark.usefixtures("english")


def _score(world, department) -> Decimal:
    return next(
        s.score for s in scoring.standings(world.district_a, 2026) if s.department == department
    )


@pytest.fixture
def deduction(world):
    return make_entry(world.dept_works_a, "-3")


def test_a_department_files_an_objection_and_the_office_is_told(world, deduction):
    objection = scoring.file_objection(
        world.user_department, deduction, "已按时办结", pdf("proof.pdf")
    )
    assert objection.status == ObjectionStatus.PENDING and objection.file_name == "proof.pdf"
    assert objection.department == world.dept_works_a and objection.year == 2026
    assert Notification.objects.filter(
        recipient=world.user_supervisor, verb="assessment.objection_filed"
    ).exists()
    assert not Notification.objects.filter(recipient=world.user_supervisor_b).exists()
    assert DomainEvent.objects.for_object(objection).get().verb == "assessment.objection_filed"


def test_upheld_writes_the_counter_entry_in_the_same_step(world, deduction):
    before = _score(world, world.dept_works_a)
    objection = scoring.file_objection(world.user_department, deduction, "已按时办结")
    objection = scoring.answer_objection(
        world.user_supervisor, objection, upheld=True, answer="核实成立"
    )
    counter = objection.counter_entry
    assert (
        objection.status == ObjectionStatus.UPHELD
        and objection.answered_by == world.user_supervisor
    )
    assert counter.points == Decimal("3") and counter.corrects == deduction
    assert counter.evidence == objection and counter.department == world.dept_works_a
    assert _score(world, world.dept_works_a) == before + 3
    assert Notification.objects.filter(
        recipient=world.user_officer, verb="assessment.objection_answered"
    ).exists()


def test_rejected_keeps_the_points(world, deduction):
    before = _score(world, world.dept_works_a)
    objection = scoring.file_objection(world.user_department, deduction, "理由")
    objection = scoring.answer_objection(
        world.user_supervisor, objection, upheld=False, answer="证据不足"
    )
    assert objection.status == ObjectionStatus.REJECTED and objection.counter_entry is None
    assert _score(world, world.dept_works_a) == before
    assert LedgerEntry.objects.count() == 1


def test_not_twice(world, deduction):
    objection = scoring.file_objection(world.user_department, deduction, "理由")
    with pytest.raises(ValidationError, match="objection already"):
        scoring.file_objection(world.user_officer, deduction, "再次")
    scoring.answer_objection(world.user_supervisor, objection, upheld=False, answer="驳回")
    with pytest.raises(ValidationError, match="objection already"):
        scoring.file_objection(world.user_officer, deduction, "再次")
    with pytest.raises(ValidationError, match="answered already"):
        scoring.answer_objection(world.user_supervisor, objection, upheld=True, answer="改判")
    assert LedgerEntry.objects.count() == 1


def test_no_objection_to_a_counter_entry_or_an_addition(world, deduction):
    objection = scoring.file_objection(world.user_department, deduction, "理由")
    counter = scoring.answer_objection(
        world.user_supervisor, objection, upheld=True, answer="成立"
    ).counter_entry
    with pytest.raises(ValidationError, match="Only a deduction"):
        scoring.file_objection(world.user_department, counter, "理由")
    addition = make_entry(world.dept_works_a, "2")
    with pytest.raises(ValidationError, match="Only a deduction"):
        scoring.file_objection(world.user_department, addition, "理由")


def test_not_in_a_finished_year(world):
    entry = make_entry(world.dept_works_a, "-1", year=2025)
    objection = scoring.file_objection(world.user_department, entry, "理由")
    AssessmentYear.objects.filter(district=world.district_a, year=2025).update(
        status=YearStatus.FINISHED
    )
    with pytest.raises(ValidationError, match="finished"):
        scoring.answer_objection(world.user_supervisor, objection, upheld=True, answer="成立")
    other = make_entry(world.dept_works_a, "-1", year=2025)
    with pytest.raises(ValidationError, match="finished"):
        scoring.file_objection(world.user_department, other, "理由")


def test_only_the_own_department_objects_and_only_the_office_answers(world, deduction):
    for who in ("supervisor", "leader", "admin", "bureau", "city", "department_b"):
        with pytest.raises(PermissionDenied):
            scoring.file_objection(getattr(world, f"user_{who}"), deduction, "理由")
    objection = scoring.file_objection(world.user_officer, deduction, "理由")
    for who in ("department", "leader", "city", "supervisor_b"):
        with pytest.raises(PermissionDenied):
            scoring.answer_objection(
                getattr(world, f"user_{who}"), objection, upheld=True, answer="x"
            )
    assert Objection.objects.get().is_pending


def test_reason_required(world, deduction):
    with pytest.raises(ValidationError) as exc:
        scoring.file_objection(world.user_department, deduction, " ")
    assert "Reason" in exc.value.message_dict["reason"][0]
    objection = scoring.file_objection(world.user_department, deduction, "理由")
    with pytest.raises(ValidationError) as exc:
        scoring.answer_objection(world.user_supervisor, objection, upheld=True, answer="")
    assert "Answer" in exc.value.message_dict["answer"][0]


def test_through_the_pages(client_for, world, deduction):
    department = client_for("department")
    ledger = reverse("assessment:ledger", args=[world.dept_works_a.pk])
    page = department.get(ledger, {"year": 2026})
    assert b'data-action="object"' in page.content
    response = department.post(
        reverse("assessment:entry_object", args=[deduction.pk]), {"reason": ""}
    )
    assert response.status_code == 400 and b"Reason: say why" in response.content
    response = department.post(
        reverse("assessment:entry_object", args=[deduction.pk]), {"reason": "已按时办结"}
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    supervisor = client_for("supervisor")
    queue = supervisor.get(reverse("assessment:objections"), {"year": 2026})
    assert b'data-action="answer"' in queue.content
    url = reverse("assessment:objection_answer", args=[objection.pk])
    response = supervisor.post(
        url, {f"o{objection.pk}-decision": "upheld", f"o{objection.pk}-answer": ""}
    )
    assert response.status_code == 400 and b"Answer: give the reason" in response.content
    response = supervisor.post(
        url, {f"o{objection.pk}-decision": "upheld", f"o{objection.pk}-answer": "核实成立"}
    )
    assert response.status_code == 302
    page = department.get(ledger, {"year": 2026})
    assert b'data-objection="upheld"' in page.content
    assert b'data-evidence="record"' in page.content  # the counter-entry links its objection
