"""The base serializers of every API resource: DRF's, with the platform's accepted range
of dates (``core.dates``) on every date and date-time field, declared or derived from the
model, so a new resource is covered without code. ``historical_date_fields`` names the
fields that accept older dates. Every text field refuses markup the same way
(``core.validators.NoMarkupValidator``; ``markup_allowed_fields`` names exceptions)."""

from __future__ import annotations

from django.utils import translation
from rest_framework import serializers

from zhaoshang.core.dates import bound_date_fields
from zhaoshang.core.validators import bound_text_fields


class DateRangeMixin:
    historical_date_fields: tuple[str, ...] = ()
    markup_allowed_fields: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        bound_date_fields(fields, self.historical_date_fields)
        model = getattr(getattr(self, "Meta", None), "model", None)
        bound_text_fields(fields, self.markup_allowed_fields, model)
        return fields


# No docstrings on these two: drf-spectacular would show them as every subclass's description.
class Serializer(DateRangeMixin, serializers.Serializer):
    pass


class ModelSerializer(DateRangeMixin, serializers.ModelSerializer):
    # DRF works out each model field's serializer field (its class and arguments, from the
    # model's metadata) anew for every serializer, every request (issue 19.2: a third of an
    # API list's serializer set-up). The same answer for the same serializer, field, model,
    # depth and language (labels are translated): worked out once per process; each
    # serializer still makes its own fields from a copy of the arguments.
    def build_field(self, field_name, info, model_class, nested_depth):
        key = (type(self), field_name, model_class, nested_depth, translation.get_language())
        found = _BUILT.get(key)
        if found is None:
            found = super().build_field(field_name, info, model_class, nested_depth)
            _BUILT[key] = found
        field_class, kwargs = found
        return field_class, dict(kwargs)


# (serializer class, field name, model, depth, language): (field class, its arguments).
_BUILT: dict = {}
