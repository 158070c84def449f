"""The open approval cases' autocomplete (issue 19.3): what a case field that opts in (a
meeting's agenda: the district's open cases) offers as the user types."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.views.decorators.http import require_GET

from zhaoshang.approvals.choices import OPEN_STATUSES as OPEN_CASE_STATUSES
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.views_helpers import autocomplete_response
from zhaoshang.core.widgets import district_arg, register_scope, scoped_queryset


@register_scope("approvals.approvalcase", "district")
def district_open_cases(user, arg):
    """Every open case of a district (a meeting's agenda): offered to the district's
    government users."""
    district_id = district_arg(user, arg)
    if district_id is None:
        return None
    return ApprovalCase.objects.filter(district_id=district_id, status__in=OPEN_CASE_STATUSES)


@login_required
@require_GET
def case_autocomplete(request):
    """At most 20 of the open cases the user may see whose project (name, code, pinyin) or
    item matches ``q``, by project code and the item's place in the catalogue."""
    q = request.GET.get("q", "").strip()[:100]
    qs = scoped_queryset(
        request, "approvals.approvalcase", ApprovalCase.objects.visible_to(request.user).open()
    )
    if qs is None:
        return autocomplete_response(None, str)
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
