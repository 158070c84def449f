"""The project's agreement tab (terms, obligations with their derived status and evidence,
commitments) and the agreement form."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.agreements import permissions, services
from zhaoshang.agreements.choices import (
    FACT_KINDS,
    ObligationKind,
    Party,
)
from zhaoshang.agreements.forms import (
    AgreementForm,
    ScheduleFormSet,
    schedule_rows,
)
from zhaoshang.agreements.models import (
    Agreement,
    Commitment,
    Obligation,
    ObligationBreach,
)
from zhaoshang.agreements.querysets import attach_performance
from zhaoshang.agreements.views.common import (
    days_left_text,
)
from zhaoshang.core import clock
from zhaoshang.core.actions import form_page, form_post
from zhaoshang.projects.models import DocumentVersion, FundsEntry, MonthlyReport, StageEvent
from zhaoshang.projects.views import get_visible_project, project_context

# ---------------------------------------------------------------------------------------
# The project's agreement tab


def _obligations(agreement, today):
    return list(
        Obligation.objects.filter(agreement=agreement)
        .with_status(today)
        .annotate(
            has_breach=Exists(ObligationBreach.objects.filter(obligation=OuterRef("pk"))),
            has_commitment=Exists(Commitment.objects.filter(obligation=OuterRef("pk"))),
        )
        .select_related("department", "confirmed_by", "waived_by")
        .order_by("party", "due_on", "id")
    )


def attach_evidence(project, obligations, today) -> None:
    """Give each obligation what its status rests on, read once for the project: the funds
    entries up to the day the target was reached (or up to today), the stage event and its
    documents, the monthly report, the commitment."""
    kinds = {o.kind for o in obligations}
    funds = []
    if ObligationKind.FUNDS in kinds:
        funds = list(
            FundsEntry.objects.filter(project=project, received_on__lte=today).order_by(
                "received_on", "id"
            )
        )
    refs = defaultdict(set)
    for o in obligations:
        if o.evidence_ref:
            refs[o.kind].add(o.evidence_ref)
    events = {}
    if refs[ObligationKind.STAGE]:
        events = {
            e.pk: e
            for e in StageEvent.objects.filter(pk__in=refs[ObligationKind.STAGE]).prefetch_related(
                Prefetch(
                    "evidence",
                    queryset=DocumentVersion.objects.select_related("document__material_type"),
                )
            )
        }
    reports = {}
    if refs[ObligationKind.INVESTMENT]:
        reports = MonthlyReport.objects.in_bulk(refs[ObligationKind.INVESTMENT])
    commitments = {}
    if refs[ObligationKind.SERVICE]:
        commitments = Commitment.objects.in_bulk(refs[ObligationKind.SERVICE])
    for o in obligations:
        o.days_left_text = days_left_text(o)
        o.funds = []
        if o.kind == ObligationKind.FUNDS:
            until = o.met_on or today
            running = 0
            for entry in funds:
                if entry.received_on > until:
                    break
                running += entry.amount
                o.funds.append((entry, running))
        o.stage_event = events.get(o.evidence_ref) if o.kind == ObligationKind.STAGE else None
        o.report = reports.get(o.evidence_ref) if o.kind == ObligationKind.INVESTMENT else None
        o.commitment = commitments.get(o.evidence_ref) if o.kind == ObligationKind.SERVICE else None
        # A service a commitment fulfils is met by the commitment, not confirmed by hand.
        o.manual = o.kind not in FACT_KINDS and not getattr(o, "has_commitment", False)


def _commitments_of(project, today):
    return list(
        Commitment.objects.filter(project=project)
        .with_progress(today)
        .select_related("department", "owner", "obligation")
        .order_by("target_on", "id")
    )


@login_required
def project_agreement(request, pk):
    project = get_visible_project(request, pk)
    today = clock.today()
    agreement = (
        Agreement.objects.filter(project=project)
        .select_related("document__document__material_type", "created_by")
        .first()
    )
    if agreement is not None:
        attach_performance([agreement], today)  # its 履约 figures
    obligations = _obligations(agreement, today) if agreement else []
    attach_evidence(project, obligations, today)
    commitments = _commitments_of(project, today)
    user = request.user
    return render(
        request,
        "agreements/project.html",
        project_context(
            request,
            project,
            "agreement",
            agreement=agreement,
            enterprise_obligations=[o for o in obligations if o.party == Party.ENTERPRISE],
            department_obligations=[o for o in obligations if o.party == Party.DEPARTMENT],
            commitments=commitments,
            can_edit_agreement=permissions.can_edit_agreement(user, project),
            can_commit=permissions.can_create_commitment(user, project),
            today=today,
        ),
    )


def _agreement_initial(project, agreement, values) -> dict:
    if agreement is not None:
        initial = {name: getattr(agreement, name) for name in AgreementForm.HEADER}
        initial["version"] = agreement.version
    else:
        initial = {
            "signed_on": project.signed_on,
            "government_party": _("%(district)s People's Government")
            % {"district": project.district.name},
            "enterprise_party": project.enterprise.name if project.enterprise_id else "",
            "contracted_investment": project.total_investment,
            "land_area": project.land_area,
            "start_by": project.planned_start_on,
            "completion_by": project.planned_completion_on,
            "production_by": project.planned_production_on,
            "intensity": project.investment_intensity,
            "intensity_by": project.planned_production_on,
            "tax": project.committed_tax,
            "jobs": project.committed_jobs,
            "energy": project.energy_commitment[:200] or None,
        }
    for name, value in values["terms"].items():
        if value is not None:
            initial[name] = value
    return initial


def _agreement_form_page(request, project, agreement=None):
    user = request.user
    if not permissions.can_edit_agreement(user, project):
        raise PermissionDenied
    if request.method == "POST":
        form = AgreementForm(request.POST, request.FILES)
        formset = ScheduleFormSet(request.POST, prefix="schedule")
    else:
        values = services.term_values(agreement)
        form = AgreementForm(initial=_agreement_initial(project, agreement, values))
        formset = ScheduleFormSet(
            prefix="schedule",
            initial=[{"due_on": d, "amount": a} for d, a in values["schedule"]],
        )

    return form_post(
        request,
        form,
        lambda data: services.save_agreement(
            user,
            project,
            fields=form.header_data(),
            terms=form.term_data(),
            schedule=schedule_rows(formset),
            document=data.get("document"),
            agreement=agreement,
            expected_version=data.get("version"),
        ),
        render_page=form_page(
            request,
            "agreements/agreement_form.html",
            more=lambda: project_context(
                request, project, "agreement", formset=formset, agreement=agreement
            ),
        ),
        redirect_to=reverse("agreements:project", args=[project.pk]),
        success=lambda saved: (
            _("The agreement %(number)s has been saved.") % {"number": saved.number}
        ),
        formsets=[formset],
    )


@login_required
def agreement_create(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_edit_agreement(request.user, project):
        raise PermissionDenied
    if Agreement.objects.filter(project=project).exists():
        messages.info(request, _("The project has an agreement already: edit it."))
        return redirect("agreements:project", pk=project.pk)
    return _agreement_form_page(request, project)


def _visible_agreement(request, pk) -> Agreement:
    return get_object_or_404(
        Agreement.objects.visible_to(request.user).select_related("project"), pk=pk
    )


@login_required
def agreement_edit(request, pk):
    agreement = _visible_agreement(request, pk)
    project = get_visible_project(request, agreement.project_id)
    return _agreement_form_page(request, project, agreement)
