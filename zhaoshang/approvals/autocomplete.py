"""The open approval cases' autocomplete (issue 19.3): what a case field that opts in (a
meeting's agenda: the district's open cases) offers as the user types."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.views.decorators.http import require_GET

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.views_helpers import autocomplete_response


@login_required
@require_GET
def case_autocomplete(request):
    """At most 20 of the open cases the user may see whose project (name, code, pinyin) or
    item matches ``q``, by project code and the item's place in the catalogue."""
    q = request.GET.get("q", "").strip()[:100]
    qs = ApprovalCase.objects.visible_to(request.user).open()
    if q:
        lowered = q.lower().replace(" ", "")
        qs = qs.filter(
            Q(project__name__icontains=q)
            | Q(project__code__icontains=q)
            | Q(project__name_initials__contains=lowered)
            | Q(project__name_pinyin__contains=lowered)
            | Q(item__name__icontains=q)
        )
    qs = qs.select_related("project", "item").order_by("project__code", "item__sort_order", "id")
    return autocomplete_response(
        qs,
        lambda c: f"{c.project.code} {c.project.name} · {c.item.name}（{c.get_status_display()}）",
    )
