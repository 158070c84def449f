"""A person's deletion finds the hand entries they wrote, and an entry's corrections are
found, off indexes that hold only the entries that have one (``entry_created_by``,
``entry_corrects``): the rule entries the daily scan writes have neither, nor do their history
rows a person (``entry_history_user``). A district's ledger of a year is read off one index of
both (``entry_district_year``), the district's alone off its left part."""

from __future__ import annotations

import pytest

from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.testing.plans import reads_index


@pytest.mark.parametrize(
    ("key", "index"), [("created_by", "entry_created_by"), ("corrects", "entry_corrects")]
)
def test_the_entries_with_a_person_or_a_corrected_entry_are_read_off_their_index(db, key, index):
    assert reads_index(LedgerEntry.objects.filter(**{f"{key}__in": [1, 2]}), index)


def test_the_history_rows_a_person_wrote_are_read_off_their_partial_index(db):
    history = LedgerEntry.history.model
    found = history.objects.filter(history_user__in=[1, 2])
    assert reads_index(found, "entry_history_user")


@pytest.mark.parametrize("filters", [{"district_id": 1, "year": 2026}, {"district__in": [1, 2]}])
def test_a_district_s_ledger_is_read_off_the_index_of_district_and_year(db, filters):
    assert reads_index(LedgerEntry.objects.filter(**filters), "entry_district_year")
