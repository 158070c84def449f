"""The steps of an exit warning (SPEC §11): warning → rectification notice with a deadline
→ clearance decision after it → land recovery, in order, each with a document, the user
and a note; bad input or a bad order is refused naming the field or the reason and saves
nothing; a stale version is refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.models import DomainEvent
from zhaoshang.exits import services
from zhaoshang.exits.choices import StepKind, WarningStatus
from zhaoshang.exits.models import ExitStep
from zhaoshang.exits.tests.factories import make_warning, pdf

D = datetime.date
pytestmark = pytest.mark.usefixtures("english")


def _notice(world, warning, **extra):
    data = {"deadline": D(2026, 7, 15), "document": pdf(), "note": "限期一个月开工"}
    data.update(extra)
    return services.issue_notice(world.user_supervisor, warning, **data)


def test_the_steps_in_order(world):
    warning = make_warning(world, raised_on=D(2026, 5, 11))
    assert warning.status == WarningStatus.WARNING
    step = _notice(world, warning, on=D(2026, 5, 12), deadline=D(2026, 6, 12))
    warning.refresh_from_db()
    assert warning.status == WarningStatus.NOTICE
    assert warning.notice_deadline == D(2026, 6, 12)
    assert step.recorded_by == world.user_supervisor and step.occurred_on == D(2026, 5, 12)
    assert step.document.read().startswith(b"%PDF")
    assert step.original_name == "通知书.pdf"
    services.decide_clearance(world.user_bureau, warning, document=pdf("决定书.pdf"), note="清退")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLEARANCE
    services.recover_land(world.user_admin, warning, document=pdf("收回.pdf"))
    warning.refresh_from_db()
    assert warning.status == WarningStatus.LAND_RECOVERED
    assert warning.version == 4
    assert list(warning.steps.values_list("kind", flat=True)) == [
        StepKind.NOTICE,
        StepKind.CLEARANCE,
        StepKind.LAND_RECOVERY,
    ]
    verbs = list(
        DomainEvent.objects.for_object(warning).order_by("id").values_list("verb", flat=True)
    )
    assert verbs == [
        "exit_warning.raised",
        "exit_warning.notice_issued",
        "exit_warning.clearance_decided",
        "exit_warning.land_recovered",
    ]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("clearance", "A clearance decision needs a rectification notice first."),
        ("recover", "Land recovery needs a clearance decision first."),
    ],
)
def test_no_step_is_skipped(world, step, message):
    warning = make_warning(world)
    run = {"clearance": services.decide_clearance, "recover": services.recover_land}[step]
    with pytest.raises(ValidationError) as exc:
        run(world.user_supervisor, warning, document=pdf())
    assert exc.value.messages == [message]
    warning.refresh_from_db()
    assert warning.status == WarningStatus.WARNING and warning.version == 1
    assert not ExitStep.objects.exists()


def test_no_step_twice_and_clearance_waits_for_the_deadline(world):
    warning = make_warning(world)
    _notice(world, warning)
    with pytest.raises(ValidationError) as exc:
        _notice(world, warning)
    assert exc.value.messages == [
        "A rectification notice is issued on a warning that has no steps yet."
    ]
    with pytest.raises(ValidationError) as exc:
        services.decide_clearance(world.user_supervisor, warning, document=pdf())
    assert exc.value.message_dict["occurred_on"] == [
        "The rectification deadline (2026-07-15) has not passed yet: a clearance decision "
        "follows it."
    ]
    assert ExitStep.objects.count() == 1


def test_no_step_on_a_cleared_warning(world):
    warning = make_warning(world)
    services.clear_warning(warning, note="started")
    with pytest.raises(ValidationError) as exc:
        _notice(world, warning)
    assert "met the condition" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"document": None}, "document", "Attach the document of this step."),
        (
            {"document": SimpleUploadedFile("a.exe", b"MZ")},
            "document",
            "“a.exe” is not an accepted file type; accepted: pdf, jpg, jpeg, png, docx, xlsx, "
            "doc, xls, ofd, zip.",
        ),
        (
            {"document": SimpleUploadedFile("a.pdf", b"not a pdf")},
            "document",
            "The content of “a.pdf” does not match its extension .pdf.",
        ),
        ({"deadline": None}, "deadline", "Give the date by which the enterprise must rectify."),
        (
            {"deadline": D(2026, 6, 15)},
            "deadline",
            "The deadline must be after the date of the notice.",
        ),
        ({"on": D(2026, 6, 16)}, "occurred_on", "The date cannot be in the future."),
        (
            {"on": D(2026, 5, 1)},
            "occurred_on",
            "The date cannot be before the previous step (2026-06-15).",
        ),
    ],
)
def test_bad_input_is_named_and_saves_nothing(world, extra, field, message):
    warning = make_warning(world)
    with pytest.raises(ValidationError) as exc:
        _notice(world, warning, **extra)
    assert exc.value.message_dict[field] == [message]
    warning.refresh_from_db()
    assert warning.status == WarningStatus.WARNING and warning.version == 1
    assert not ExitStep.objects.exists()


@pytest.mark.parametrize("who", ["leader", "department", "park", "city", "bureau_b", "officer"])
def test_only_the_supervision_office_bureau_and_admins_act(world, who):
    warning = make_warning(world)
    with pytest.raises(PermissionDenied):
        services.issue_notice(
            getattr(world, f"user_{who}"), warning, deadline=D(2026, 7, 1), document=pdf()
        )
    assert not ExitStep.objects.exists()


def test_a_stale_version_changes_nothing(world):
    warning = make_warning(world)
    _notice(world, warning)
    with pytest.raises(ConcurrentEditError):
        services.confirm_delay(world.user_supervisor, warning, reason="x", expected_version=1)
    warning.refresh_from_db()
    assert warning.version == 2 and warning.delay_confirmed_on is None
