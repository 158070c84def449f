"""Loading a year's arrangement reports every problem at once — the entries', the status
and the source — and writes nothing (issue 16, point 11)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation

from zhaoshang.workdays.models import CalendarEntry, CalendarYear
from zhaoshang.workdays.services import load_year

D = datetime.date
pytestmark = pytest.mark.django_db


def test_bad_entries_status_and_source_are_named_together():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        load_year(
            2027,
            [
                (D(2027, 1, 1), "holiday", "元旦"),
                (D(2027, 2, 1), "vacation", ""),  # entry 2: unknown kind
            ],
            notice="国办发明电〔2026〕1号",
            status="final",
            source="fax",
        )
    errors = caught.value.message_dict
    assert set(errors) == {NON_FIELD_ERRORS, "status", "source"}
    assert errors[NON_FIELD_ERRORS] == [
        "entry 2: unknown kind “vacation” (use holiday or workday)."
    ]
    assert errors["status"] == ["Unknown status “final”."]
    assert errors["source"] == ["Unknown source “fax”."]
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarEntry.objects.filter(date__year=2027).exists()


def test_the_refusals_read_in_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        load_year(2027, [(D(2027, 2, 1), "vacation", "")], notice="", status="final")
    errors = caught.value.message_dict
    assert set(errors) == {NON_FIELD_ERRORS, "status"}
    for messages in errors.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in messages[0]), messages
