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
