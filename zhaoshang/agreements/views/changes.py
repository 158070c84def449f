"""A filed commitment's change requests (变更申请): asked from the commitment's page, shown
on their own page, approved or refused there by the park committee or the supervision
office (the actions of ``agreements.actions``, shared with the API)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.agreements import permissions, services
from zhaoshang.agreements.actions import CHANGE_ACTIONS
from zhaoshang.agreements.forms import ChangeRequestForm
from zhaoshang.agreements.models import ChangeRequest
from zhaoshang.agreements.views.commitments import (
    _commitment_context,
    _milestones,
    _visible_commitment,
    movable_milestones,
)
from zhaoshang.core import clock
from zhaoshang.core.actions import form_post, panel, record_action_view
from zhaoshang.projects.views import get_visible_project, project_context


@login_required
@require_POST
def change_request(request, pk):
    """Ask to move milestones of a filed commitment (the form on the commitment's page)."""
    commitment = _visible_commitment(request, pk)
    if not permissions.can_request_change(request.user, commitment):
        raise PermissionDenied
    today = clock.today()
    form = ChangeRequestForm(
        request.POST,
        milestones=movable_milestones(_milestones(commitment, today), today),
        auto_id="id_c_%s",
    )

    def render_page(form, status, stale):
        if status == 409:
            context = _commitment_context(request, commitment, stale=stale)
        else:
            context = _commitment_context(request, commitment, forms={"change": form})
            context["open_form"] = "change"
        return render(request, "agreements/commitment.html", context, status=status)

    return form_post(
        request,
        form,
        lambda data: services.request_change(
            request.user,
            commitment,
            moves=form.moves(),
            target_on=data.get("target_on"),
            reason=data.get("reason", ""),
            expected_version=data["version"],
        ),
        render_page=render_page,
        redirect_to=lambda change: change.get_absolute_url(),
        success=_("The change request is sent to the park committee and the supervision office."),
    )


def _changes(request):
    return ChangeRequest.objects.visible_to(request.user).select_related(
        "commitment__project__park",
        "commitment__department",
        "requested_by",
        "decided_by",
        "archive_version",
    )


def _change_context(request, change, bound=None, stale="") -> dict:
    commitment = change.commitment
    project = get_visible_project(request, commitment.project_id)
    actions = panel(
        request.user,
        change,
        CHANGE_ACTIONS,
        lambda action: f"{change.get_absolute_url()}{action.slug}/",
        bound=bound,
        record_kwarg="record",
    )
    return project_context(
        request,
        project,
        "agreement",
        change=change,
        commitment=commitment,
        moves=list(change.moves.select_related("milestone").order_by("milestone__seq")),
        actions=actions,
        stale=stale,
    )


@login_required
def change_detail(request, pk):
    change = get_object_or_404(_changes(request), pk=pk)
    return render(request, "agreements/change.html", _change_context(request, change))


@login_required
@require_POST
def change_action(request, pk, action):
    if action not in CHANGE_ACTIONS:
        raise PermissionDenied
    return record_action_view(
        request,
        _changes(request),
        pk,
        CHANGE_ACTIONS[action],
        template="agreements/change.html",
        context=_change_context,
    )
