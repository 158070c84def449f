"""The district's own organisation as import files name it: a park by its name or code, a
department by its name or short name. One reference each for every importer (projects,
land, agreements, approval cases), so the same cell reads the same everywhere."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhaoshang.core.imports import Ref, RefList
from zhaoshang.org.models import Department, Park


def park_ref() -> Ref:
    """A park of the importer's district, by name or code (a new parser per column: the
    importer keeps each parser's lookup)."""
    return Ref(
        lambda imp: Park.objects.filter(district=imp.district).order_by("id"),
        keys=lambda p: [p.name, p.code],
        not_found=gettext_lazy("No park “%(value)s” in your district."),
        ambiguous=gettext_lazy("Several parks are named “%(value)s”; use the park code."),
        label=lambda p: p.name,
        hint=gettext_lazy("The park's name or code."),
    )


def department_ref(*, many: bool = False) -> Ref:
    """A department of the importer's district by name or short name; ``many``: several in
    one cell (``RefList``)."""
    return (RefList if many else Ref)(
        lambda imp: Department.objects.filter(district=imp.district).order_by("sort_order", "id"),
        keys=lambda d: [d.name, d.short_name],
        not_found=gettext_lazy("No department “%(value)s” in your district."),
        ambiguous=gettext_lazy("Several departments are named “%(value)s”; use the full name."),
        label=lambda d: d.name,
    )
