"""``core.drawing.display`` is ``get_<field>_display()``: every choice, a value outside the
choices and an empty one, in both languages (the cached choices keep their labels lazy)."""

from __future__ import annotations

import pytest
from django.utils import translation

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.drawing import display
from zhaoshang.monitoring.models import Signal
from zhaoshang.projects.models import Project

FIELDS = [
    (Project, "stage"),
    (Project, "condition"),
    (Project, "level"),
    (Signal, "subject"),
    (Signal, "level"),
    (ApprovalCase, "status"),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("model", "name"), FIELDS)
def test_display_is_get_field_display(language, model, name):
    field = model._meta.get_field(name)
    values = [value for value, _label in field.flatchoices] + ["no-such-value", None]
    assert len(values) > 3
    with translation.override(language):
        for value in values:
            instance = model(**{field.attname: value})
            expected = getattr(instance, f"get_{name}_display")()
            assert display(instance, name) == expected, value
            assert type(display(instance, name)) is type(expected)
