"""Bad input is refused with a message naming the field and what to change, and nothing is
saved: a milestone after its target date, an obligation without a measurable target, a
schedule whose steps do not fit before the target date, an investment schedule that does
not add up — through the services, the pages and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import Agreement, Commitment, Milestone, Obligation
from zhaoshang.agreements.schedule import Step
from zhaoshang.agreements.tests.conftest import (
    SCHEDULE,
    agreement_post,
    day,
    header,
    pdf,
    standard_terms,
)
from zhaoshang.core.models import DomainEvent


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages_of(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict[field])


# ---------------------------------------------------------------------------------------
# Milestones and schedules


def test_a_milestone_moved_after_the_target_date_is_refused(world, make_commitment):
    commitment = make_commitment()
    milestone = commitment.milestones.order_by("seq").first()
    events = DomainEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.reschedule_milestone(
            world.user_department, milestone, due_on=day("2026-08-03"), reason="推迟"
        )
    message = messages_of(caught.value, "due_on")
    assert "2026-08-03" in message and "2026-07-31" in message and "施工图审查" in message
    milestone.refresh_from_db()
    assert milestone.due_on == day("2026-07-17") and milestone.version == 1
    assert DomainEvent.objects.count() == events


def test_a_milestone_moved_without_a_reason_or_before_its_start_is_refused(world, make_commitment):
    milestone = make_commitment().milestones.order_by("seq").first()
    with pytest.raises(ValidationError) as caught:
        services.reschedule_milestone(
            world.user_department, milestone, due_on=day("2026-07-01"), reason=" "
        )
    assert "2026-07-06" in messages_of(caught.value, "due_on")  # the planned start
    assert caught.value.message_dict["reason"]


def test_a_schedule_that_does_not_fit_saves_nothing(world, make_commitment):
    with pytest.raises(ValidationError) as caught:
        make_commitment(
            start_on=day("2026-06-15"),
            target_on=day("2026-06-30"),
            steps=[Step("图审", 10), Step("发证", 5)],
        )
    message = messages_of(caught.value, "target_on")
    # 15 working days from 06-15: 06-19 (端午) is off, so the earliest target is 07-07
    assert "15" in message and "2026-07-07" in message
    assert not Commitment.objects.exists() and not Milestone.objects.exists()


def test_the_commitment_page_shows_why_the_schedule_does_not_fit(world, client_for):
    url = reverse("agreements:commitment_create", args=[world.project1_a.pk])
    data = {
        "department": world.dept_works_a.pk,
        "title": "施工许可",
        "content": "核发施工许可证",
        "start_on": "2026-06-15",
        "target_on": "2026-06-30",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-name": "图审",
        "steps-0-duration": "10",
        "steps-1-name": "发证",
        "steps-1-duration": "5",
    }
    response = client_for("department").post(url, data)
    assert response.status_code == 400
    assert "2026-07-07" in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_step_without_working_days_is_refused_on_the_page(world, client_for):
    url = reverse("agreements:commitment_create", args=[world.project1_a.pk])
    data = {
        "department": world.dept_works_a.pk,
        "title": "施工许可",
        "content": "核发施工许可证",
        "start_on": "2026-06-15",
        "target_on": "2026-09-30",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-name": "图审",
    }
    response = client_for("department").post(url, data)
    assert response.status_code == 400
    assert "图审" in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_department_cannot_commit_for_another_department(world):
    with pytest.raises(ValidationError) as caught:
        services.create_commitment(
            world.user_department,
            world.project1_a,
            department=world.dept_land_a,
            steps=[Step("A", 2)],
            title="t",
            content="c",
            start_on=day("2026-06-15"),
            target_on=day("2026-09-30"),
        )
    assert "department" in caught.value.message_dict
    assert not Commitment.objects.exists()


def test_progress_at_100_needs_the_day_it_was_done(world, make_commitment):
    milestone = make_commitment().milestones.first()
    with pytest.raises(ValidationError) as caught:
        services.report_progress(world.user_department, milestone, progress=100)
    assert caught.value.message_dict["done_on"]
    with pytest.raises(ValidationError) as caught:
        services.report_progress(
            world.user_department, milestone, progress=50, done_on=day("2026-06-16")
        )
    assert caught.value.message_dict["done_on"]  # in the future
    milestone.refresh_from_db()
    assert (milestone.progress, milestone.done_on) == (0, None)


# ---------------------------------------------------------------------------------------
# Obligations


@pytest.mark.parametrize(
    ("fields", "field", "needle"),
    [
        ({"kind": ObligationKind.TAX}, "target_amount", "10k yuan"),
        ({"kind": ObligationKind.JOBS, "target_amount": Decimal("0")}, "target_amount", "zero"),
        ({"kind": ObligationKind.STAGE}, "target_stage", "stage"),
        ({"kind": ObligationKind.ENERGY, "target_text": "节能达标"}, "target_text", "figure"),
        ({"kind": ObligationKind.ENERGY}, "target_text", "measurable"),
    ],
)
def test_an_enterprise_obligation_without_a_measurable_target_is_refused(
    world, make_agreement, fields, field, needle
):
    agreement = make_agreement()
    count = Obligation.objects.count()
    values = {
        "party": Party.ENTERPRISE,
        "title": "附加义务",
        "due_on": day("2027-06-30"),
        **fields,
    }
    with pytest.raises(ValidationError) as caught:
        services.add_obligation(world.user_bureau, agreement, **values)
    assert needle in messages_of(caught.value, field)
    assert Obligation.objects.count() == count


def test_a_department_obligation_names_the_department_and_what_is_delivered(world, make_agreement):
    agreement = make_agreement()
    with pytest.raises(ValidationError) as caught:
        services.add_obligation(
            world.user_bureau,
            agreement,
            party=Party.DEPARTMENT,
            kind=ObligationKind.SERVICE,
            title="通水通电",
            due_on=day("2026-02-01"),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"department", "target_text", "due_on"}
    assert "2026-03-02" in " ".join(errors["due_on"])  # before the signing date
    with pytest.raises(ValidationError) as caught:
        services.add_obligation(
            world.user_bureau,
            agreement,
            party=Party.DEPARTMENT,
            department=world.dept_land_a,
            kind=ObligationKind.TAX,
            target_amount=Decimal("10"),
            title="纳税",
            due_on=day("2027-02-01"),
        )
    assert "kind" in caught.value.message_dict


def test_the_api_refuses_an_obligation_without_a_target_with_400(world, client_for, make_agreement):
    agreement = make_agreement()
    response = client_for("bureau").post(
        "/api/v1/obligations/",
        {
            "agreement": agreement.pk,
            "party": "enterprise",
            "kind": "output",
            "title": "产值",
            "due_on": "2027-12-31",
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "target_amount" in response.json()


def test_a_confirmation_needs_a_past_date_and_a_real_file(world, make_agreement):
    ob = make_agreement().obligations.get(term="tax")
    fake = SimpleUploadedFile("证明.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        services.confirm_obligation(world.user_bureau, ob, met_on=day("2026-06-16"), evidence=fake)
    errors = caught.value.message_dict
    assert set(errors) == {"met_on", "evidence"}
    with pytest.raises(ValidationError) as caught:
        services.confirm_obligation(world.user_bureau, ob, met_on=day("2026-06-01"), evidence=None)
    assert "evidence" in caught.value.message_dict
    ob.refresh_from_db()
    assert ob.confirmed_on is None and not ob.evidence


# ---------------------------------------------------------------------------------------
# Agreements


@pytest.mark.parametrize(
    ("schedule", "needle"),
    [
        (
            [(day("2026-06-30"), Decimal("5000")), (day("2026-12-31"), Decimal("3000"))],
            "cumulative",
        ),
        ([(day("2026-12-31"), Decimal("60000"))], "contracted"),
        ([(day("2026-02-01"), Decimal("100"))], "signing"),
        ([(day("2026-06-30"), Decimal("100")), (day("2026-06-30"), Decimal("200"))], "twice"),
        ([], "schedule"),
    ],
)
def test_an_investment_schedule_that_does_not_add_up_saves_nothing(
    world, make_agreement, schedule, needle
):
    with pytest.raises(ValidationError) as caught:
        make_agreement(schedule=schedule)
    assert needle in messages_of(caught.value, "schedule")
    assert not Agreement.objects.exists() and not Obligation.objects.exists()


def test_the_agreement_must_state_the_timetable_and_the_intensity(world, make_agreement):
    terms = standard_terms(start_by=None, intensity=None, production_by=day("2026-08-31"))
    with pytest.raises(ValidationError) as caught:
        make_agreement(terms=terms)
    errors = caught.value.message_dict
    assert {"start_by", "intensity", "production_by"} <= set(errors)
    assert "2027-09-30" in " ".join(errors["production_by"])  # before the completion
    assert not Agreement.objects.exists()


def test_a_duplicate_agreement_number_names_the_other_project(world, make_agreement):
    make_agreement(world.project1_a, number="TZXY-2026-001")
    with pytest.raises(ValidationError) as caught:
        make_agreement(world.project2_a, number="TZXY-2026-001")
    assert "华鑫新能源电池项目" in messages_of(caught.value, "number")
    assert Agreement.objects.count() == 1


def test_the_agreement_page_refuses_a_bad_schedule_and_saves_nothing(world, client_for):
    project = world.project1_a
    data = agreement_post(project, [("2026-06-30", "5000"), ("2026-12-31", "3000")])
    response = client_for("bureau").post(reverse("agreements:create", args=[project.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "2026-12-31" in html and "3000" in html
    assert not Agreement.objects.exists()
    data["schedule-1-amount"] = "30000"
    response = client_for("bureau").post(reverse("agreements:create", args=[project.pk]), data)
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.obligations.filter(term="schedule").count() == 2


def test_removing_a_term_with_a_breach_is_refused(world, make_agreement):
    agreement = make_agreement()
    services.scan(day("2026-06-15"))  # the 2026-05-31 schedule row is missed
    with pytest.raises(ValidationError) as caught:
        services.save_agreement(
            world.user_bureau,
            world.project1_a,
            fields=header(world.project1_a),
            terms=standard_terms(),
            schedule=SCHEDULE[1:],
            agreement=agreement,
        )
    assert "breach" in messages_of(caught.value, "schedule")
    assert agreement.obligations.filter(term="schedule").count() == 2


def test_an_evidence_file_of_a_refused_type_is_refused(world, make_agreement):
    ob = make_agreement().obligations.get(term="tax")
    exe = SimpleUploadedFile("证明.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as caught:
        services.confirm_obligation(world.user_bureau, ob, met_on=day("2026-06-01"), evidence=exe)
    assert "exe" in messages_of(caught.value, "evidence")
    services.confirm_obligation(world.user_bureau, ob, met_on=day("2026-06-01"), evidence=pdf())


def test_a_breached_term_keeps_its_target_and_due_date(world, make_agreement):
    agreement = make_agreement(terms=standard_terms(start_by=day("2026-06-10")))
    services.scan(day("2026-06-15"))  # the agreed start (06-10) is missed
    with pytest.raises(ValidationError) as caught:
        services.save_agreement(
            world.user_bureau,
            world.project1_a,
            fields=header(world.project1_a),
            terms=standard_terms(start_by=day("2026-09-30")),
            schedule=SCHEDULE,
            agreement=agreement,
        )
    assert "breach" in messages_of(caught.value, "start_by")
    assert agreement.obligations.get(term="start").due_on == day("2026-06-10")


def test_schedule_rows_keep_their_obligations_by_date(world, make_agreement):
    agreement = make_agreement()
    first, second = agreement.obligations.filter(term="schedule").order_by("due_on")
    rows = [
        (day("2026-05-31"), Decimal("1000")),
        (day("2026-09-30"), Decimal("8000")),
        (day("2026-12-31"), Decimal("20000")),
    ]
    services.save_agreement(
        world.user_bureau,
        world.project1_a,
        fields=header(world.project1_a),
        terms=standard_terms(),
        schedule=rows,
        agreement=agreement,
    )
    after = list(agreement.obligations.filter(term="schedule").order_by("due_on"))
    assert [(o.due_on, o.target_amount) for o in after] == rows
    assert (after[0].pk, after[0].version) == (first.pk, 1)
    assert (after[2].pk, after[2].version) == (second.pk, 1)
