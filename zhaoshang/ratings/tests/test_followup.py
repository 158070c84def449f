"""The supervision office's follow-up of a 不满意: every problem at once, nothing half
written, the enterprise told, a founded one in the department's assessment ledger."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhaoshang.assessment.models import AssessmentRule, LedgerEntry, RuleCode
from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification
from zhaoshang.ratings import services
from zhaoshang.ratings.choices import FollowUp
from zhaoshang.ratings.tests.factories import make_rating


def test_a_dissatisfied_rating_opens_a_follow_up_and_tells_the_office(world):
    rating = make_rating(world)
    assert rating.followup == FollowUp.OPEN
    note = Notification.objects.get(recipient=world.user_supervisor, verb="rating.recorded")
    assert note.url == reverse("ratings:detail", args=[rating.pk])
    assert make_rating(world, score="fairly").followup == FollowUp.NOT_NEEDED


def test_every_problem_of_the_follow_up_at_once_and_nothing_written(world):
    rating = make_rating(world)
    with pytest.raises(ValidationError) as caught:
        services.follow_up(world.user_supervisor, rating, note="  ", confirmed=None)
    errors = caught.value.message_dict
    assert set(errors) == {"note", "confirmed"}
    assert "Follow-up note" in errors["note"][0] or "跟进" in errors["note"][0]
    rating.refresh_from_db()
    assert rating.followup == FollowUp.OPEN
    assert not DomainEvent.objects.filter(verb="rating.followed_up").exists()


def test_markup_in_the_note_is_refused(world):
    rating = make_rating(world)
    with pytest.raises(ValidationError) as caught:
        services.follow_up(
            world.user_supervisor, rating, note="<script>x</script>", confirmed=False
        )
    assert "note" in caught.value.message_dict


def test_a_founded_dissatisfaction_is_recorded_told_and_written_to_the_ledger(world):
    rating = make_rating(world)
    done = services.follow_up(
        world.user_supervisor, rating, note="已约谈建设局，责令整改。", confirmed=True
    )
    assert done.followup == FollowUp.DONE
    assert done.followup_confirmed is True
    assert done.followed_up_by == world.user_supervisor
    assert done.followed_up_on == datetime.date(2026, 6, 15)
    assert done.history.count() == 2
    event = DomainEvent.objects.get(verb="rating.followed_up")
    assert event.object_id == rating.pk and event.actor == world.user_supervisor
    told = Notification.objects.get(recipient=world.user_enterprise, verb="rating.followed_up")
    assert told.url == reverse("portal:ratings")
    assert told.body == "已约谈建设局，责令整改。"
    entry = LedgerEntry.objects.get(rule_code=RuleCode.DISSATISFIED_RATING)
    assert entry.department == world.dept_works_a
    assert (
        entry.points
        == AssessmentRule.objects.get(
            district=world.district_a, code=RuleCode.DISSATISFIED_RATING
        ).points
    )
    assert entry.year == 2026 and entry.evidence == done


def test_a_rating_of_december_followed_up_in_january_counts_in_its_own_year(world):
    rating = make_rating(world, rated_on=datetime.date(2025, 12, 30))
    services.follow_up(world.user_supervisor, rating, note="属实。", confirmed=True)
    assert LedgerEntry.objects.get(rule_code=RuleCode.DISSATISFIED_RATING).year == 2025


def test_a_dissatisfaction_not_founded_costs_nothing(world):
    rating = make_rating(world)
    services.follow_up(
        world.user_supervisor, rating, note="经核实，答复符合规定。", confirmed=False
    )
    assert not LedgerEntry.objects.filter(rule_code=RuleCode.DISSATISFIED_RATING).exists()


def test_a_switched_off_rule_writes_nothing(world):
    AssessmentRule.objects.update_or_create(
        district=world.district_a,
        code=RuleCode.DISSATISFIED_RATING,
        defaults={"points": -1, "is_active": False},
    )
    services.follow_up(world.user_supervisor, make_rating(world), note="属实。", confirmed=True)
    assert not LedgerEntry.objects.filter(rule_code=RuleCode.DISSATISFIED_RATING).exists()


def test_a_follow_up_is_recorded_once_and_only_on_a_dissatisfied_rating(world):
    rating = make_rating(world)
    services.follow_up(world.user_supervisor, rating, note="已处理。", confirmed=False)
    with pytest.raises(ValidationError) as caught:
        services.follow_up(world.user_supervisor, rating, note="", confirmed=None)
    assert set(caught.value.message_dict) == {"note", "confirmed", "status"}
    with pytest.raises(ValidationError):
        services.follow_up(
            world.user_supervisor, make_rating(world, score="satisfied"), note="x", confirmed=False
        )


@pytest.mark.parametrize("who", ["department", "bureau", "leader", "city", "supervisor_b"])
def test_only_the_district_supervision_office_follows_up(world, who):
    rating = make_rating(world)
    with pytest.raises(PermissionDenied):
        services.follow_up(getattr(world, f"user_{who}"), rating, note="x", confirmed=False)


def test_the_ledger_entry_names_the_record_as_its_pages_do(world):
    """The department's ledger reads the complaint's number, not a database id."""
    from zhaoshang.complaints.tests.factories import make_complaint

    complaint = make_complaint(world)
    rating = make_rating(world, subject=complaint)
    services.follow_up(world.user_supervisor, rating, note="已核实。", confirmed=True)
    entry = LedgerEntry.objects.get(rule_code=RuleCode.DISSATISFIED_RATING)
    assert complaint.number in entry.reason
