"""Hand entries by the supervision office: reason and evidence required, bounded points,
refused in a finished year, never changed once written, audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import AssessmentYear, LedgerEntry, YearStatus
from zhaoshang.assessment.tests.factories import pdf
from zhaoshang.core.models import DomainEvent

pytestmark = pytest.mark.usefixtures("english")


def _add(world, user=None, **overrides):
    data = {
        "department": world.dept_works_a,
        "year": 2026,
        "points": "-2",
        "reason": "督查发现推诿扯皮",
        "evidence": pdf(),
        "occurred_on": datetime.date(2026, 5, 20),
    }
    data.update(overrides)
    return scoring.add_hand_entry(user or world.user_supervisor, **data)


def _errors(exc) -> dict:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


def test_a_hand_entry_is_written_with_its_file_and_event(world):
    entry = _add(world)
    assert entry.points == Decimal("-2") and entry.rule_code == "" and entry.is_hand_entry
    assert entry.evidence_file and entry.evidence_name == "evidence.pdf"
    assert entry.created_by == world.user_supervisor
    event = DomainEvent.objects.for_object(entry).get()
    assert event.verb == "assessment.entry_added" and event.actor == world.user_supervisor
    assert scoring.assessment_year(world.district_a, 2026) is not None  # the year opened


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"reason": "  "}, "reason", "Reason"),
        ({"evidence": None}, "evidence", "Evidence"),
        ({"points": "-20.5"}, "points", "between −20 and +20"),
        ({"points": "21"}, "points", "between −20 and +20"),
        ({"points": "0"}, "points", "0 points"),
        ({"points": "abc"}, "points", "give a number"),
        ({"points": "1.234"}, "points", "two decimal places"),
        ({"occurred_on": None}, "occurred_on", "Date"),
        ({"occurred_on": datetime.date(2025, 12, 1)}, "occurred_on", "within 2026"),
        ({"occurred_on": datetime.date(2026, 7, 1)}, "occurred_on", "future"),
        ({"year": 1999}, "year", "outside"),
        (
            {"evidence": SimpleUploadedFile("x.exe", b"MZ...", "application/octet-stream")},
            "evidence",
            "not an accepted file type",
        ),
        (
            {"evidence": SimpleUploadedFile("fake.pdf", b"not a pdf", "application/pdf")},
            "evidence",
            "does not match",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, overrides, field, words):
    with pytest.raises(ValidationError) as exc:
        _add(world, **overrides)
    assert words in _errors(exc)[field]
    assert not LedgerEntry.objects.exists()


def test_twenty_points_either_way_are_accepted(world):
    assert _add(world, points="-20").points == Decimal("-20")
    assert _add(world, points="20").points == Decimal("20")


def test_only_the_supervision_office_and_admins_write(world):
    for who in ("leader", "department", "bureau", "city", "supervisor_b"):
        with pytest.raises(PermissionDenied):
            _add(world, user=getattr(world, f"user_{who}"))
    assert _add(world, user=world.user_admin)


def test_a_finished_year_takes_no_hand_entry(world):
    AssessmentYear.objects.create(district=world.district_a, year=2025, status=YearStatus.FINISHED)
    with pytest.raises(ValidationError) as exc:
        _add(world, year=2025, occurred_on=datetime.date(2025, 6, 1))
    assert "finished" in _errors(exc)["year"]


def test_entries_are_never_changed_or_deleted(world):
    entry = _add(world)
    entry.points = Decimal("5")
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    entry.refresh_from_db()
    assert entry.points == Decimal("-2")


def test_a_correction_is_a_new_entry_naming_the_corrected_one(world):
    entry = _add(world)
    correction = _add(world, points="2", reason="更正：重复扣分", corrects=entry)
    assert correction.corrects == entry and LedgerEntry.objects.count() == 2
    with pytest.raises(ValidationError) as exc:
        _add(world, department=world.dept_land_a, points="2", corrects=entry)
    assert "same department" in _errors(exc)["corrects"]


def test_the_form_writes_and_shows_errors(client_for, world):
    client = client_for("supervisor")
    url = reverse("assessment:entry_create")
    response = client.post(url, {"department": world.dept_works_a.pk, "year": 2026, "points": "-3"})
    assert response.status_code == 400
    assert b"Reason: say why" in response.content and b"Evidence: attach" in response.content
    response = client.post(
        url,
        {
            "department": world.dept_works_a.pk,
            "year": 2026,
            "points": "-3",
            "reason": "会议无故缺席",
            "occurred_on": "2026-06-01",
            "evidence": pdf(),
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert response["Location"] == entry.get_absolute_url()
    page = client.get(url, {"corrects": entry.pk})
    assert b'data-testid="corrected"' in page.content
    response = client.post(
        url,
        {
            "department": world.dept_works_a.pk,
            "year": 2026,
            "points": "3",
            "reason": "更正",
            "occurred_on": "2026-06-02",
            "evidence": pdf(),
            "corrects": 999999,
        },
    )
    assert response.status_code == 400 and b"no entry with this number" in response.content
    download = client.get(reverse("assessment:entry_file", args=[entry.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_admin_site_does_not_change_entries(client_for, world):
    entry = _add(world)
    client = client_for("admin")
    response = client.post(
        reverse("admin:assessment_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert response.status_code in (302, 403)
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_a_districts_whole_ledger_can_be_removed_with_its_corrections(world):
    """The demo's reset removes a district with everything of it: corrections and the
    entries they correct, objections and their counter-entries go together."""
    from zhaoshang.demo.reset import purge_districts

    entry = _add(world, user=world.user_supervisor_b, department=world.dept_works_b)
    _add(
        world,
        user=world.user_supervisor_b,
        department=world.dept_works_b,
        points="2",
        corrects=entry,
    )
    objection = scoring.file_objection(world.user_department_b, entry, "理由")
    scoring.answer_objection(world.user_supervisor_b, objection, upheld=True, answer="成立")
    purge_districts([world.district_b.code])
    assert not LedgerEntry.objects.filter(district_id=world.district_b.pk).exists()
    assert LedgerEntry.objects.filter(pk=entry.pk).count() == 0
