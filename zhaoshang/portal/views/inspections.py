"""The service hall's inspections and fees (涉企检查/收费, SPEC §9): the visits approved for the
enterprise with their codes, dates and departments; the one-tap check of an inspector's
code (typed, or scanned from its QR code with the phone's camera); reporting a visit that
had no approved code, which becomes a complaint; rating a visit once it was carried out.

Every row is the contact's own enterprise's (``portal.visits.own_visits``): another
enterprise's visit is a 404. The changes go through ``inspections.services``."""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhaoshang.core import clock
from zhaoshang.core.actions import form_page, form_post
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.views_helpers import paginate
from zhaoshang.inspections import services, verification
from zhaoshang.inspections.choices import Kind, RequestStatus
from zhaoshang.inspections.forms import RateForm
from zhaoshang.inspections.models import InspectionVisit
from zhaoshang.inspections.services.reports import unapproved_visit_errors
from zhaoshang.portal import visits
from zhaoshang.portal.access import portal_view

CODE_MAX = 40


class VisitRateForm(RateForm):
    """满意 / 基本满意 / 不满意 as three buttons; the reason is needed when not satisfied
    (the service says so, with the score's other errors)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget = forms.RadioSelect(
            choices=self.fields["rating"].choices, attrs={"class": "btn-check"}
        )
        self.fields["rating"].label = gettext_lazy("your rating")
        comment = self.fields["comment"]
        comment.label = gettext_lazy("reason")
        comment.help_text = gettext_lazy("Required when you are not satisfied.")


class UnapprovedVisitForm(BootstrapMixin, forms.Form):
    """The contact's report of a visit or fee with no approved code (its enterprise is
    the contact's own; the channel is the portal)."""

    department = forms.ModelChoiceField(queryset=None, label=gettext_lazy("department that came"))
    kind = forms.ChoiceField(choices=Kind.choices, label=gettext_lazy("what they came for"))
    visited_on = forms.DateField(widget=forms.DateInput, label=gettext_lazy("date of the visit"))
    what_happened = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("what happened"),
        help_text=gettext_lazy(
            "Who came, what they inspected, rated or charged, and what they asked of you."
        ),
    )
    code_shown = forms.CharField(
        max_length=CODE_MAX, required=False, label=gettext_lazy("code shown, if any")
    )

    def __init__(self, *args, district, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.org.models import Department

        self.district, self.enterprise = district, enterprise
        self.fields["department"].queryset = Department.objects.filter(district=district)

    def clean(self):
        """The service's own check on the fields that parsed, so that the page names every
        problem at once (a date in the future with a field left empty, say)."""
        data = super().clean()
        errors = unapproved_visit_errors(
            district=self.district,
            enterprise=self.enterprise,
            department=data.get("department"),
            kind=data.get("kind", ""),
            visited_on=data.get("visited_on"),
            what_happened=data.get("what_happened", ""),
            code_shown=data.get("code_shown", ""),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, message)
        return data


def complaint_url(complaint) -> str:
    """The complaint's page in the service hall, where the contact follows it."""
    return reverse("portal:complaint", args=[complaint.pk])


def _own_visit(request, pk) -> InspectionVisit:
    return get_object_or_404(visits.own_visits(request.user), pk=pk)


@portal_view
def inspection_list(request):
    """The visits approved for the enterprise: all, the upcoming ones or the past ones."""
    today = clock.today()
    when = request.GET.get("when", "")
    if when not in visits.When.values:
        when = visits.When.ALL
    rows = visits.filter_when(visits.own_visits(request.user), when, today)
    page = paginate(request, rows)
    for visit in page:
        visit.state = visits.state_of(visit, today)
        visit.state_label = visits.VisitState(visit.state).label
        visit.badge = visits.STATE_BADGES[visit.state]
    return render(
        request,
        "portal/inspections/list.html",
        {"page": page, "when": when, "filters": visits.When.choices, "today": today},
    )


def _partners(visit) -> list:
    """The other departments of a joint inspection (approved visits only)."""
    if not visit.joint_id:
        return []
    return list(
        InspectionVisit.objects.filter(
            joint_id=visit.joint_id, request__status=RequestStatus.APPROVED
        )
        .exclude(pk=visit.pk)
        .select_related("request__department")
        .order_by("id")
    )


def _detail(request, visit, *, form=None, status=200):
    today = clock.today()
    state = visits.state_of(visit, today)
    if form is None and visits.can_rate(visit):
        form = VisitRateForm(record=visit, auto_id="id_rate_%s")
    return render(
        request,
        "portal/inspections/detail.html",
        {
            "visit": visit,
            "inspection": visit.request,
            "state": state,
            "state_label": visits.VisitState(state).label,
            "badge": visits.STATE_BADGES[state],
            "partners": _partners(visit),
            "rate_form": form if visits.can_rate(visit) else None,
        },
        status=status,
    )


@portal_view
def inspection_detail(request, pk):
    """One visit: what, who, when, its code; the findings once carried out; the rating."""
    return _detail(request, _own_visit(request, pk))


@portal_view
@require_POST
def inspection_rate(request, pk):
    """The contact rates a visit carried out, once (满意/基本满意/不满意, a reason if not)."""
    visit = _own_visit(request, pk)
    form = VisitRateForm(request.POST, record=visit, auto_id="id_rate_%s")

    def render_page(form, status, stale):
        if stale:
            form.add_error(None, stale)
            fresh = _own_visit(request, pk)
            return _detail(request, fresh, form=form, status=status)
        return _detail(request, visit, form=form, status=status)

    return form_post(
        request,
        form,
        lambda data: services.rate_visit(
            request.user,
            visit,
            rating=data["rating"],
            comment=data.get("comment", ""),
            expected_version=data.get("version"),
        ),
        render_page=render_page,
        redirect_to=reverse("portal:inspection", args=[visit.pk]),
        success=_("Thank you: your rating has been recorded."),
    )


@portal_view
def inspection_check(request):
    """Type the inspector's code or scan its QR code: is this visit approved today for this
    enterprise? Failed look-ups count against the caller's address, like the public page."""
    raw = (request.GET.get("code") or "").strip()[: CODE_MAX * 2]
    result = None
    if raw:
        address = verification.client_address(request)
        if verification.is_blocked(address):
            response = render(request, "inspections/verify_throttled.html", status=429)
            response["Retry-After"] = str(verification._limit()[1])
            return response
        result = visits.check_code(request.user, raw)
        if result.failed:
            verification.record_failure(address)
    return render(
        request,
        "portal/inspections/check.html",
        {"result": result, "code": raw, "today": clock.today()},
    )


@portal_view
def inspection_report(request):
    """Report a visit or fee that had no approved code: it is received as a complaint,
    which the contact follows in the service hall."""
    user = request.user
    initial = {
        "code_shown": (request.GET.get("code") or "")[:CODE_MAX],
        "visited_on": clock.today(),
    }
    data = request.POST if request.method == "POST" else None
    form = UnapprovedVisitForm(
        data, initial=initial, district=user.district, enterprise=user.enterprise
    )

    def report(data):
        return services.report_unapproved_visit(
            user,
            district=user.district,
            enterprise=user.enterprise,
            channel="portal",
            **data,
        )

    return form_post(
        request,
        form,
        report,
        render_page=form_page(request, "portal/inspections/report.html"),
        redirect_to=complaint_url,
        success=lambda complaint: (
            _("Your report has been received as complaint %(number)s.")
            % {"number": complaint.number}
        ),
    )
