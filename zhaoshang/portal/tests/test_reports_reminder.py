"""The reminder before a monthly report's due day (the 5th): the enterprise's contacts,
with a link to the service hall's form, once per project and month, not once filed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from zhaoshang.monitoring.services import daily_scan
from zhaoshang.notifications.models import Notification
from zhaoshang.portal.reporting import REMINDER_VERB, remind_monthly_reports
from zhaoshang.testing.factories import MonthlyReportFactory

D = datetime.date
SHANGHAI_MORNING = datetime.time(7, 0)


def _at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, SHANGHAI_MORNING, tzinfo=datetime.UTC), tick=False
    )


def _reminders(world=None):
    notes = Notification.objects.filter(verb=REMINDER_VERB).order_by("id")
    if world is not None:  # district a's contact (district b's has a project of its own)
        notes = notes.filter(recipient=world.user_enterprise)
    return list(notes)


@pytest.mark.django_db
def test_contacts_are_reminded_before_the_due_day_once(world, client_for):
    url = reverse("portal:report_new", args=[world.project1_a.pk, 2026, 6])
    with _at(D(2026, 7, 1)):  # due on 07-05: four days before, too early
        assert remind_monthly_reports(D(2026, 7, 1)) == "not in the reminder days"
    assert _reminders() == []
    with _at(D(2026, 7, 2)):
        remind_monthly_reports(D(2026, 7, 2))
    (note,) = _reminders(world)
    assert note.url == url
    assert world.project1_a.name in note.title
    with _at(D(2026, 7, 3)):
        assert remind_monthly_reports(D(2026, 7, 3)) == "reminded 0"  # told already
    assert len(_reminders()) == 2  # one for each district's project
    # The link opens the service hall's form (not a staff page answering 403).
    with _at(D(2026, 7, 3)):
        assert client_for("enterprise").get(url).status_code == 200


@pytest.mark.django_db
def test_no_reminder_once_filed_or_after_the_due_day(world):
    for project in (world.project1_a, world.project1_b):
        MonthlyReportFactory(project=project, month=D(2026, 6, 1), submitted_by=world.user_admin)
    with _at(D(2026, 7, 4)):
        assert remind_monthly_reports(D(2026, 7, 4)) == "reminded 0"
    with _at(D(2026, 8, 6)):  # July not filed, but its due day has passed
        assert remind_monthly_reports(D(2026, 8, 6)) == "not in the reminder days"
    assert _reminders() == []


@pytest.mark.django_db
def test_the_daily_scan_runs_the_reminder(world):
    with _at(D(2026, 7, 5)):
        report = dict(daily_scan(D(2026, 7, 5)))
    assert report["portal.reporting.remind_monthly_reports"] == "reminded 2"
    assert {n.recipient for n in _reminders()} == {world.user_enterprise, world.user_enterprise_b}


@pytest.mark.django_db
def test_the_reminder_runs_as_a_task(world, settings):
    from zhaoshang.portal.reporting import monthly_report_reminders

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with _at(D(2026, 7, 4)):
        result = monthly_report_reminders.enqueue("2026-07-04")
    assert result.return_value == "reminded 2"
    assert len(_reminders(world)) == 1
