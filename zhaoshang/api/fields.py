"""Serializer fields that respect the caller's scope."""

from __future__ import annotations

from rest_framework import serializers


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id looked up only among the rows the caller may see (``visible_to``).

    An id of another district's record fails exactly like an id that does not exist
    ("object does not exist"), so the answer never tells whether it is there.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.visible_to(getattr(request, "user", None))
