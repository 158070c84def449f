"""Every model serializer's fields, their fields worked out once per process
(``api.serializers.ModelSerializer.build_field``), are those worked out anew: the same
classes, arguments, validators and labels, in Chinese and in English — and a serializer's
fields are its own (changing one changes no other serializer's)."""

from __future__ import annotations

import pytest
from django.utils import translation

from zhaoshang.api import serializers as base

pytestmark = pytest.mark.django_db


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _load_every_api():
    import importlib

    importlib.import_module("zhaoshang.urls_api")  # every resource's viewset, serializers


def _shown(serializer_class) -> dict | None:
    try:
        fields = serializer_class(context={}).fields
    except Exception:  # a serializer that needs its view's context: not compared here
        return None
    return {
        name: (
            type(field),
            repr(field),
            [type(v) for v in field.validators],
            str(field.label),
            str(field.help_text or ""),
            field.required,
            field.read_only,
            field.allow_null,
        )
        for name, field in fields.items()
    }


def test_fields_built_once_are_those_built_anew():
    _load_every_api()
    classes = sorted(set(_subclasses(base.ModelSerializer)), key=lambda c: c.__qualname__)
    assert len(classes) > 20
    compared = 0
    for cls in classes:
        fresh, kept = {}, {}
        for first, second in (("zh-hans", "en"), ("en", "zh-hans")):
            base._BUILT.clear()
            with translation.override(first):
                fresh[first] = _shown(cls)
            with translation.override(second):  # after the other language's were kept
                kept[second] = _shown(cls)
        assert kept == fresh, cls
        compared += fresh["en"] is not None
    assert compared > 30


def test_a_serializers_fields_are_its_own():
    from zhaoshang.projects.api import ProjectSerializer

    first = ProjectSerializer(context={}).fields
    first["name"].validators.append("x")
    first["name"].label = "changed"
    second = ProjectSerializer(context={}).fields
    assert "x" not in second["name"].validators
    assert second["name"].label != "changed"
