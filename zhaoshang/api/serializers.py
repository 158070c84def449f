"""The base serializers of every API resource: DRF's, with the platform's accepted range
of dates (``core.dates``) on every date and date-time field, declared or derived from the
model, so a new resource is covered without code. ``historical_date_fields`` names the
fields that accept older dates."""

from __future__ import annotations

from rest_framework import serializers

from zhaoshang.core.dates import bound_date_fields


class DateRangeMixin:
    historical_date_fields: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        bound_date_fields(fields, self.historical_date_fields)
        return fields


# No docstrings on these two: drf-spectacular would show them as every subclass's description.
class Serializer(DateRangeMixin, serializers.Serializer):
    pass


class ModelSerializer(DateRangeMixin, serializers.ModelSerializer):
    pass
