"""Scoping: one place per model decides which rows a user may see (SPEC §1).

Every model that users read has a queryset with ``visible_to(user)``; pages, the
API, exports and search all start from it. A row outside the scope is simply not
there, so a lookup outside it yields 404, never a hint.
"""

from __future__ import annotations

from django.db import models

from zhaoshang.core import roles


class DistrictScopedQuerySet(models.QuerySet):
    """Rows that belong to one district; government users see their own district."""

    district_path = "district"

    def in_district(self, district):
        return self.filter(**{self.district_path: district})

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if roles.sees_all_districts(user):
            return self.all()
        if not user.district_id or not roles.roles_of(user):
            return self.none()
        return self.filter(**{f"{self.district_path}_id": user.district_id})


def scoped_queryset(district_path: str):
    """A DistrictScopedQuerySet subclass whose district is reached through ``district_path``."""
    return type(
        "ScopedVia" + district_path.title().replace("__", ""),
        (DistrictScopedQuerySet,),
        {"district_path": district_path},
    )
