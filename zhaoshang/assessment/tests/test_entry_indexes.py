"""A person's deletion finds the hand entries they wrote, and an entry's corrections are
found, off indexes that hold only the entries that have one (``entry_created_by``,
``entry_corrects``): the rule entries the daily scan writes have neither."""

from __future__ import annotations

import pytest

from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.testing.plans import reads_index


@pytest.mark.parametrize(
    ("key", "index"), [("created_by", "entry_created_by"), ("corrects", "entry_corrects")]
)
def test_the_entries_with_a_person_or_a_corrected_entry_are_read_off_their_index(db, key, index):
    assert reads_index(LedgerEntry.objects.filter(**{f"{key}__in": [1, 2]}), index)
