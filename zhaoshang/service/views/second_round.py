"""Second-round service records (二次招商服务): the list and the forms."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, Sum
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core import roles
from zhaoshang.core.actions import form_page, form_post
from zhaoshang.core.views_helpers import paginate
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.projects.views import get_visible_project, project_context
from zhaoshang.service import permissions, services
from zhaoshang.service.choices import SecondRoundKind
from zhaoshang.service.forms import SecondRoundForm
from zhaoshang.service.models import SecondRoundService

MONEY = DecimalField(max_digits=16, decimal_places=2)


@login_required
def second_round(request):
    qs = (
        SecondRoundService.objects.visible_to(request.user)
        .select_related("project", "enterprise", "recorded_by", "district")
        .order_by("-occurred_on", "-id")
    )
    kind = request.GET.get("kind")
    if kind in SecondRoundKind.values:
        qs = qs.filter(kind=kind)
    totals = {
        row["kind"]: row
        for row in qs.order_by()
        .values("kind")
        .annotate(n=Count("pk"), amount=Sum("amount", output_field=MONEY))
    }
    page = paginate(request, qs)
    return render(
        request,
        "service/second_round.html",
        {
            "page": page,
            "count": page.paginator.count,
            "kinds": [
                (k, totals.get(k.value, {}).get("n", 0), totals.get(k.value, {}).get("amount"))
                for k in SecondRoundKind
            ],
            "kind": kind,
            "show_district": roles.sees_all_districts(request.user),
        },
    )


def _second_round_form(request, *, project=None, enterprise=None, back: str, template_context):
    return form_post(
        request,
        SecondRoundForm(request.POST or None),
        lambda data: services.record_second_round(
            request.user, project=project, enterprise=enterprise, **data
        ),
        render_page=form_page(request, "service/second_round_form.html", **template_context),
        redirect_to=back,
        success=_("The second-round service is recorded."),
    )


@login_required
def second_round_create(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_record_second_round(request.user, project=project):
        raise PermissionDenied
    return _second_round_form(
        request,
        project=project,
        back=reverse("service:project", args=[project.pk]) + "#second-round",
        template_context=project_context(request, project, "service"),
    )


@login_required
def enterprise_second_round_create(request, pk):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
    if not permissions.can_record_second_round(request.user, enterprise=enterprise):
        raise PermissionDenied
    return _second_round_form(
        request,
        enterprise=enterprise,
        back=reverse("service:second_round"),
        template_context={"enterprise": enterprise},
    )
