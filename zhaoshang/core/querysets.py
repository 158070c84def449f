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


def _related_model(model, path: str):
    """The model at the end of ``path`` (``project``, ``case__project`` …) from ``model``."""
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


class ProjectScopedQuerySet(DistrictScopedQuerySet):
    """Rows visible exactly when their project is (信息共享): cases, agreements, receipts,
    signals … ``project_path`` says how a row reaches its project. The project's own
    ``visible_to`` decides; this queryset never repeats its rule."""

    project_path = "project"
    # True when each row is kept in its project's district (its services give it that
    # district): for a user who sees every project of a district (the project queryset's
    # ``whole_district_of``), the rows are then those of the district, read off the row's
    # own district index instead of matched against the list of the district's projects,
    # so a district's count and first page do not grow with it (issue 19.3).
    district_follows_project = False

    def visible_to(self, user):
        project_model = _related_model(self.model, self.project_path)
        projects = project_model.objects
        if self.district_follows_project:
            district = projects.whole_district_of(user)
            if district is not None:
                return self.filter(**{f"{self.district_path}_id": district})
        visible = projects.visible_to(user).values("pk")
        return self.filter(**{f"{self.project_path}__in": visible})


def joined(queryset) -> bool:
    """Whether ``queryset`` (or its ``query``) reads a table besides its model's own: a join
    some condition, order or annotation still uses (Django trims the rest)."""
    query = getattr(queryset, "query", queryset)
    return any(n for alias, n in query.alias_refcount.items() if alias != query.base_table)


def in_districts(queryset, district_ids, field: str = "district_id"):
    """``queryset`` narrowed to the rows of these districts (``field``: the row's district
    id, e.g. ``commitment__district_id``; ``pk`` for districts themselves), or all of it
    when ``district_ids`` is None — the daily scan's partition
    (``monitoring.services.daily_scan(district_ids=…)``)."""
    if district_ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": list(district_ids)})


def by_district(values: dict, output_field, field: str = "district_id", default=None):
    """SQL: for each row, the value ``values`` gives its district (``field``: the row's
    district id) — a setting of each district (a rule's gap, points or key) read once by
    the caller and written into the statement, rather than looked up again for each row
    (the daily scan reads hundreds of thousands of rows of a few districts); ``default``
    where ``values`` has none of the row's district."""
    fallback = None if default is None else models.Value(default, output_field=output_field)
    return models.Case(
        *[
            models.When(**{field: district_id}, then=models.Value(value, output_field=output_field))
            for district_id, value in sorted(values.items())
        ],
        default=fallback,
        output_field=output_field,
    )
