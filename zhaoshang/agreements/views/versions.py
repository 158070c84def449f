"""The park committee's archive: the versions filed, one version, two compared."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from zhaoshang.agreements import services
from zhaoshang.agreements.forms import (
    ArchiveFilterForm,
)
from zhaoshang.agreements.models import (
    ArchiveVersion,
)
from zhaoshang.agreements.views.commitments import _visible_commitment
from zhaoshang.core import roles
from zhaoshang.core.views_helpers import paginate

# ---------------------------------------------------------------------------------------
# The park committee's archive


@login_required
@require_GET
def archive(request):
    user = request.user
    form = ArchiveFilterForm(request.GET or None, user=user)
    qs = ArchiveVersion.objects.visible_to(user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("park"):
            qs = qs.filter(park=data["park"])
        if data.get("department"):
            qs = qs.filter(commitment__department=data["department"])
        if data.get("q"):
            text = data["q"].strip()
            qs = qs.filter(
                Q(commitment__title__icontains=text)
                | Q(commitment__project__name__icontains=text)
                | Q(commitment__project__code__icontains=text)
            )
    qs = qs.select_related(
        "commitment__project", "commitment__department", "park", "committee", "filed_by"
    ).order_by("-filed_at", "-id")
    if roles.sees_all_districts(user):
        qs = qs.select_related("district")
    page = paginate(request, qs)
    return render(
        request,
        "agreements/archive.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "show_district": roles.sees_all_districts(user),
        },
    )


def _visible_version(request, pk) -> ArchiveVersion:
    return get_object_or_404(
        ArchiveVersion.objects.visible_to(request.user).select_related(
            "commitment__project", "park", "committee", "filed_by"
        ),
        pk=pk,
    )


@login_required
@require_GET
def version_detail(request, pk):
    version = _visible_version(request, pk)
    others = list(
        ArchiveVersion.objects.filter(commitment_id=version.commitment_id)
        .order_by("-number")
        .values_list("pk", "number")
    )
    return render(
        request,
        "agreements/version.html",
        {
            "version": version,
            "content": version.content,
            "commitment": version.commitment,
            "others": others,
            "previous": next((n for _pk, n in others if n < version.number), None),
        },
    )


@login_required
@require_GET
def version_compare(request, pk):
    commitment = _visible_commitment(request, pk)
    versions = {
        v.number: v
        for v in ArchiveVersion.objects.filter(commitment=commitment).select_related("filed_by")
    }
    numbers = sorted(versions)

    def pick(name, default):
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in versions else default

    new = pick("b", numbers[-1] if numbers else None)
    old = pick("a", numbers[-2] if len(numbers) > 1 else None)
    diff = None
    if old is not None and new is not None and old != new:
        diff = services.compare_versions(versions[old].content, versions[new].content)
    return render(
        request,
        "agreements/compare.html",
        {
            "commitment": commitment,
            "numbers": numbers,
            "old": versions.get(old),
            "new": versions.get(new),
            "diff": diff,
            "compare_url": reverse("agreements:compare", args=[commitment.pk]),
        },
    )
