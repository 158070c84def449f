"""A step the record's state does not allow is refused with the error under ``status``,
as in every app: a waived obligation confirmed or waived again, a milestone done moved,
a commitment filed again with nothing changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhaoshang.agreements import services
from zhaoshang.agreements.tests.conftest import day, pdf

pytestmark = pytest.mark.django_db


def _refusal(call) -> dict:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def test_a_waived_obligation_is_refused_under_status(world, make_agreement):
    ob = make_agreement().obligations.get(term="tax")
    services.waive_obligation(world.user_bureau, ob, reason="补充协议")
    ob.refresh_from_db()
    again = _refusal(lambda: services.waive_obligation(world.user_bureau, ob, reason="再次"))
    assert list(again) == ["status"]
    confirm = _refusal(
        lambda: services.confirm_obligation(
            world.user_bureau, ob, met_on=day("2026-06-01"), evidence=pdf()
        )
    )
    assert list(confirm) == ["status"]


def test_a_done_milestone_and_an_unchanged_filing_are_refused_under_status(world, make_commitment):
    commitment = make_commitment()
    first = commitment.milestones.order_by("seq").first()
    services.report_progress(world.user_bureau, first, progress=100, done_on=day("2026-06-12"))
    first.refresh_from_db()
    moved = _refusal(
        lambda: services.reschedule_milestone(
            world.user_bureau, first, due_on=day("2026-06-30"), reason="调整"
        )
    )
    assert "status" in moved
    commitment.refresh_from_db()
    services.file_commitment(world.user_bureau, commitment)
    commitment.refresh_from_db()
    assert list(_refusal(lambda: services.file_commitment(world.user_bureau, commitment))) == [
        "status"
    ]
