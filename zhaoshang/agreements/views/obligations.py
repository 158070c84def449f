"""An obligation's page (status, evidence, history), its form, and its actions: confirm
with evidence, waive."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.agreements import permissions, services
from zhaoshang.agreements.choices import (
    ObligationKind,
    Party,
)
from zhaoshang.agreements.forms import (
    ConfirmForm,
    ObligationForm,
    WaiveForm,
)
from zhaoshang.agreements.models import (
    Commitment,
    Obligation,
    ObligationBreach,
)
from zhaoshang.agreements.views.agreements import _visible_agreement, attach_evidence
from zhaoshang.core import clock
from zhaoshang.core.actions import form_page, form_post
from zhaoshang.core.audit import event_label
from zhaoshang.core.history import history_rows
from zhaoshang.core.models import DomainEvent
from zhaoshang.projects.models import FundsEntry
from zhaoshang.projects.views import get_visible_project, project_context

# ---------------------------------------------------------------------------------------
# Obligations


def _visible_obligation(request, pk) -> Obligation:
    return get_object_or_404(
        Obligation.objects.visible_to(request.user).select_related("agreement"), pk=pk
    )


def _obligation_initial(obligation) -> dict:
    if obligation is None:
        return {"party": Party.DEPARTMENT, "kind": ObligationKind.SERVICE}
    initial = {
        name: getattr(obligation, name)
        for name in ("party", "department", "title", "kind", "target_amount")
    }
    initial.update(
        target_stage=obligation.target_stage,
        target_text=obligation.target_text,
        due_on=obligation.due_on,
        version=obligation.version,
    )
    return initial


def _obligation_form_page(request, agreement, obligation=None):
    project = get_visible_project(request, agreement.project_id)
    user = request.user
    if not permissions.can_edit_agreement(user, project):
        raise PermissionDenied
    if obligation is not None and obligation.term:
        messages.info(request, _("This obligation is a term of the agreement: edit the agreement."))
        return redirect("agreements:edit", pk=agreement.pk)
    if request.method == "POST":
        form = ObligationForm(request.POST, district_id=project.district_id)
    else:
        form = ObligationForm(
            initial=_obligation_initial(obligation), district_id=project.district_id
        )

    def save(data):
        if obligation is None:
            return services.add_obligation(user, agreement, **form.service_data())
        return services.update_obligation(
            user, obligation, data.get("version"), **form.service_data()
        )

    return form_post(
        request,
        form,
        save,
        render_page=form_page(
            request,
            "agreements/obligation_form.html",
            more=lambda: project_context(
                request, project, "agreement", agreement=agreement, obligation=obligation
            ),
        ),
        redirect_to=lambda saved: reverse("agreements:obligation", args=[saved.pk]),
        success=lambda saved: (
            _("The obligation “%(title)s” has been saved.") % {"title": saved.description}
        ),
    )


@login_required
def obligation_create(request, pk):
    agreement = _visible_agreement(request, pk)
    return _obligation_form_page(request, agreement)


@login_required
def obligation_edit(request, pk):
    obligation = _visible_obligation(request, pk)
    return _obligation_form_page(request, obligation.agreement, obligation)


def _obligation_context(request, obligation_pk, confirm_form=None, waive_form=None, stale=""):
    today = clock.today()
    ob = get_object_or_404(
        Obligation.objects.visible_to(request.user)
        .with_status(today)
        .annotate(has_commitment=Exists(Commitment.objects.filter(obligation=OuterRef("pk"))))
        .select_related("agreement", "department", "confirmed_by", "waived_by"),
        pk=obligation_pk,
    )
    project = get_visible_project(request, ob.agreement.project_id)
    attach_evidence(project, [ob], today)
    breach = ObligationBreach.objects.filter(obligation=ob).first()
    user = request.user
    can_confirm = ob.manual and not ob.waived_on and permissions.can_confirm(user, ob, project)
    can_edit = permissions.can_edit_agreement(user, project)
    all_funds = []
    if ob.kind == ObligationKind.FUNDS:
        running = 0
        for entry in FundsEntry.objects.filter(project=project).order_by("received_on", "id"):
            running += entry.amount
            all_funds.append((entry, running, ob.met_on and entry.received_on <= ob.met_on))
    fulfilling = list(
        Commitment.objects.filter(obligation=ob)
        .with_progress(today)
        .select_related("department")
        .order_by("target_on")
    )
    events = list(
        DomainEvent.objects.for_object(ob).select_related("actor").order_by("-occurred_at")
    )
    for event in events:
        event.display = event_label(event.verb)
    context = project_context(
        request,
        project,
        "agreement",
        ob=ob,
        breach=breach,
        all_funds=all_funds,
        fulfilling=fulfilling,
        events=events,
        history=history_rows(ob.history.all(), Obligation, subject=_("Obligation")),
        can_confirm=can_confirm,
        can_waive=can_edit and not ob.waived_on,
        can_edit_obligation=can_edit and not ob.term,
        stale=stale,
    )
    if can_confirm:
        context["confirm_form"] = confirm_form or ConfirmForm(
            initial={"version": ob.version}, auto_id="id_confirm_%s"
        )
    if context["can_waive"]:
        context["waive_form"] = waive_form or WaiveForm(
            initial={"version": ob.version}, auto_id="id_waive_%s"
        )
    return context


@login_required
def obligation_detail(request, pk):
    return render(request, "agreements/obligation.html", _obligation_context(request, pk))


@login_required
@require_POST
def obligation_confirm(request, pk):
    return _obligation_action(
        request,
        pk,
        allowed=permissions.can_confirm,
        form=ConfirmForm(request.POST, request.FILES, auto_id="id_confirm_%s"),
        name="confirm",
        act=lambda ob, data: services.confirm_obligation(
            request.user,
            ob,
            met_on=data["met_on"],
            evidence=data["evidence"],
            note=data["note"],
            expected_version=data["version"],
        ),
        done=_("The obligation is confirmed with its evidence."),
    )


@login_required
@require_POST
def obligation_waive(request, pk):
    return _obligation_action(
        request,
        pk,
        allowed=lambda user, ob, project: permissions.can_edit_agreement(user, project),
        form=WaiveForm(request.POST, auto_id="id_waive_%s"),
        name="waive",
        act=lambda ob, data: services.waive_obligation(
            request.user,
            ob,
            reason=data["reason"],
            waived_on=data["waived_on"],
            expected_version=data["version"],
        ),
        done=_("The obligation is waived."),
    )


def _obligation_action(request, pk, *, allowed, form, name, act, done):
    """One action form posted on the obligation page: the service decides, a refusal
    re-renders the page with the form's errors (400), a stale version says so (409)."""
    ob = _visible_obligation(request, pk)
    project = get_visible_project(request, ob.agreement.project_id)
    if not allowed(request.user, ob, project):
        raise PermissionDenied

    def render_page(form, status, stale):
        if status == 409:
            context = _obligation_context(request, pk, stale=stale)
        else:
            context = _obligation_context(request, pk, **{f"{name}_form": form})
            context[f"can_{name}"] = True
            context[f"{name}_form"] = form
        return render(request, "agreements/obligation.html", context, status=status)

    return form_post(
        request,
        form,
        lambda data: act(ob, data),
        render_page=render_page,
        redirect_to=reverse("agreements:obligation", args=[ob.pk]),
        success=done,
    )


@login_required
def obligation_evidence(request, pk):
    ob = _visible_obligation(request, pk)
    if not ob.evidence:
        raise Http404
    return FileResponse(ob.evidence.open("rb"), as_attachment=True, filename=ob.evidence_name)
