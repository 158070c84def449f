"""The base serializers of every API resource: DRF's, with the platform's accepted range
of dates (``core.dates``) on every date and date-time field, declared or derived from the
model, so a new resource is covered without code. ``historical_date_fields`` names the
fields that accept older dates. Every text field refuses markup the same way
(``core.validators.NoMarkupValidator``; ``markup_allowed_fields`` names exceptions)."""

from __future__ import annotations

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
    pass
