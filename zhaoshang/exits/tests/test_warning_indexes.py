"""A person's deletion finds the warnings whose delay they confirmed (``PROTECT``: the
collector's ``delay_confirmed_by_id IN (…)``) off ``warning_delay_confirmed_by``, which holds
only those: the warnings the daily scan raises have nobody and are not written into it."""

from __future__ import annotations

from zhaoshang.exits.models import ExitWarning
from zhaoshang.org.models import User
from zhaoshang.testing.plans import reads_index


def test_a_person_s_deletion_finds_their_confirmed_warnings_off_the_partial_index(db):
    person = User.objects.create(username="confirmer")
    found = ExitWarning.objects.filter(delay_confirmed_by__in=[person.pk])
    assert reads_index(found, "warning_delay_confirmed_by")


def test_a_person_s_deletion_finds_the_history_rows_they_wrote_off_the_partial_index(db):
    """The warnings' history rows hold the person who wrote each (``SET_NULL`` on their
    deletion): read off ``warning_history_user``, which holds only the rows someone wrote —
    the daily scan's have nobody — not every row of the history, whose time is not indexed
    either (``core.history.ScanHistoricalRecords``)."""
    person = User.objects.create(username="writer")
    history = ExitWarning.history.model
    assert reads_index(history.objects.filter(history_user__in=[person.pk]), "warning_history_user")
    assert not history._meta.get_field("history_date").db_index
