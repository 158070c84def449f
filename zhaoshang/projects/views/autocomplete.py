"""The projects' autocomplete (issue 19.3): what a project field offers as the user types,
in place of a select with one option per project of the district."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from zhaoshang.core.views_helpers import autocomplete_response
from zhaoshang.core.widgets import district_arg, register_scope, scoped_queryset
from zhaoshang.projects.models import Project


@register_scope("projects.project", "district")
def district_projects(user, arg):
    """Every project of a district (a meeting's agenda, a complaint, a land parcel), by code:
    offered to the district's government users."""
    district_id = district_arg(user, arg)
    if district_id is None:
        return None
    return Project.objects.filter(district_id=district_id).order_by("code")


@login_required
@require_GET
def project_autocomplete(request):
    """At most 20 of the projects the user may see (or of the field's ``scope``) whose
    name, code, enterprise or pinyin contains ``q``, by code:
    ``{"results": [{"id": 1, "label": "code name"}]}``."""
    qs = scoped_queryset(request, "projects.project", Project.objects.visible_to(request.user))
    if qs is None:
        return autocomplete_response(None, str)
    qs = qs.search(request.GET.get("q", "")[:100], by_code=True)
    qs = qs.only("pk", "code", "name").order_by("code", "pk")
    return autocomplete_response(qs, lambda p: f"{p.code} {p.name}")
