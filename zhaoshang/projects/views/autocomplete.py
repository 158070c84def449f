"""The projects' autocomplete (issue 19.3): what a project field offers as the user types,
in place of a select with one option per project of the district."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from zhaoshang.core.views_helpers import autocomplete_response
from zhaoshang.projects.models import Project


@login_required
@require_GET
def project_autocomplete(request):
    """At most 20 of the projects the user may see whose name, code, enterprise or pinyin
    contains ``q``, by code: ``{"results": [{"id": 1, "label": "code name"}]}``."""
    qs = (
        Project.objects.visible_to(request.user)
        .search(request.GET.get("q", "")[:100])
        .only("pk", "code", "name")
        .order_by("code", "pk")
    )
    return autocomplete_response(qs, lambda p: f"{p.code} {p.name}")
