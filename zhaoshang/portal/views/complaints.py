"""The enterprise's complaints (投诉) in the service hall: its list with each one's
deadlines, lodging one (channel 企业门户), and following one to the supervision office's
finding and answer — then rating the answer, 不满意 reopening it once. The department's own
account and view are the government's internal papers: not shown here."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhaoshang.complaints import services
from zhaoshang.complaints.choices import TIMED_STATUSES, Category, Channel, ComplaintStatus
from zhaoshang.complaints.models import Complaint, ComplaintAttachment
from zhaoshang.core import clock
from zhaoshang.core.actions import form_post
from zhaoshang.core.forms import BootstrapMixin, apply_service_errors
from zhaoshang.core.views_helpers import paginate
from zhaoshang.core.widgets import every_option
from zhaoshang.org.models import Department
from zhaoshang.portal.access import own_projects, portal_view
from zhaoshang.portal.views.needs import MultipleFileField, RateForm, files_help
from zhaoshang.ratings.choices import SubjectKind
from zhaoshang.ratings.services import rating_of

# Files one complaint may carry from the service hall (the service checks the number).
MAX_COMPLAINT_FILES = services.MAX_ATTACHMENTS

# A complaint's status as the enterprise reads it.
STATUS_LABELS = {
    ComplaintStatus.RECEIVED: gettext_lazy("Received by the supervision office"),
    ComplaintStatus.DISPATCHED: gettext_lazy("Sent to the department"),
    ComplaintStatus.ACCEPTED: gettext_lazy("Accepted by the department"),
    ComplaintStatus.VERIFYING: gettext_lazy("Being verified by the supervision office"),
    ComplaintStatus.ANSWERED: gettext_lazy("Answered: waiting for your rating"),
    ComplaintStatus.CLOSED: gettext_lazy("Closed"),
}


class ComplaintForm(BootstrapMixin, forms.Form):
    """The complaint the enterprise lodges; checked by the service, every problem at once
    (its files' number and content included)."""

    marked_required = ("category", "department", "text")

    category = forms.ChoiceField(
        choices=[("", "---------"), *Category.choices],
        required=False,
        label=gettext_lazy("What about"),
    )
    department = forms.ModelChoiceField(
        queryset=None, required=False, label=gettext_lazy("Department complained about")
    )
    project = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Project"),
        empty_label=gettext_lazy("Not about one project"),
        widget=every_option(),
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label=gettext_lazy("What happened"),
        help_text=gettext_lazy("When, where, who, and what you ask for."),
    )
    contact_name = forms.CharField(
        max_length=50, required=False, label=gettext_lazy("Contact person")
    )
    contact_phone = forms.CharField(
        max_length=30, required=False, label=gettext_lazy("Contact phone")
    )
    contact_consent = forms.BooleanField(
        required=False,
        label=gettext_lazy(
            "The department complained about may see my name and phone (otherwise only the "
            "supervision office sees them)"
        ),
    )
    attachments = MultipleFileField(label=gettext_lazy("Evidence"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = files_help(MAX_COMPLAINT_FILES)
        self.fields["department"].queryset = Department.objects.filter(
            district_id=user.district_id
        ).order_by("sort_order", "name")
        self.fields["project"].queryset = own_projects(user).order_by("-id")
        if not self.is_bound:
            self.initial.update(contact_name=user.display_name, contact_phone=user.phone)


def own_complaints(user):
    """The complaints of the contact's enterprise."""
    return Complaint.objects.filter(enterprise_id=user.enterprise_id)


def complaints_in_order(user, today, *, with_files: bool = False):
    """The enterprise's complaints for its list (page and API): those to rate (and those
    just received) first, then those under way, then the closed ones; each with its days
    left and light, and (``with_files``) the files its enterprise sent as ``own_files``."""
    rows = (
        own_complaints(user)
        .with_days_left(today)
        .select_related("department", "project")
        .annotate(
            done=Case(
                When(status__in=TIMED_STATUSES, then=Value(1)),
                When(status=ComplaintStatus.CLOSED, then=Value(2)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("done", "-received_on", "-id")
    )
    if with_files:
        rows = rows.prefetch_related(
            Prefetch("attachments", queryset=own_files(user), to_attr="own_files")
        )
    return rows


def own_files(user):
    """Complaint files the enterprise's own people sent (not the government's papers)."""
    return ComplaintAttachment.objects.filter(uploaded_by__enterprise_id=user.enterprise_id)


@portal_view
def complaints(request):
    page = paginate(request, complaints_in_order(request.user, clock.today()))
    for complaint in page:
        complaint.status_label = STATUS_LABELS[complaint.status]
    return render(request, "portal/complaints/list.html", {"page": page})


def lodge(user, data: dict) -> Complaint:
    """The service call of the form (and of the API): the caller's enterprise, through
    the portal."""
    return services.receive_complaint(
        user,
        district=user.enterprise.district,
        enterprise=user.enterprise,
        department=data.get("department"),
        project=data.get("project"),
        channel=Channel.PORTAL,
        category=data.get("category") or "",
        text=data.get("text") or "",
        contact_name=data.get("contact_name") or "",
        contact_phone=data.get("contact_phone") or "",
        contact_consent=bool(data.get("contact_consent")),
        attachments=data.get("attachments") or (),
    )


@portal_view
def complaint_new(request):
    posted = request.method == "POST"
    form = ComplaintForm(
        request.POST if posted else None, request.FILES if posted else None, user=request.user
    )

    def render_page(form, status, stale=""):
        return render(request, "portal/complaints/new.html", {"form": form}, status=status)

    return form_post(
        request,
        form,
        lambda data: lodge(request.user, data),
        render_page=render_page,
        redirect_to=lambda complaint: reverse("portal:complaint", args=[complaint.pk]),
        success=lambda complaint: (
            _(
                "Your complaint %(number)s has reached the supervision office. You can follow it "
                "here."
            )
            % {"number": complaint.number}
        ),
    )


def _complaint(request, pk) -> Complaint:
    return get_object_or_404(
        own_complaints(request.user).select_related("department", "project"), pk=pk
    )


def _page(request, complaint: Complaint, rate_form=None, status: int = 200):
    complaint.status_label = STATUS_LABELS[complaint.status]
    rateable = complaint.status == ComplaintStatus.ANSWERED
    context = {
        "complaint": complaint,
        "attachments": list(own_files(request.user).filter(complaint=complaint)),
        "rating": rating_of(SubjectKind.COMPLAINT, complaint.pk),
        "rate_form": (rate_form or RateForm()) if rateable else None,
    }
    return render(request, "portal/complaints/detail.html", context, status=status)


@portal_view
def complaint(request, pk):
    return _page(request, _complaint(request, pk))


def as_score(error: ValidationError) -> ValidationError:
    """The complaint's rating is its ``rating``; the portal's form and API call it
    ``score``, like a need's (the error renamed in place)."""
    if hasattr(error, "error_dict") and "rating" in error.error_dict:
        error.error_dict["score"] = error.error_dict.pop("rating")
    return error


@portal_view
@require_POST
def complaint_rate(request, pk):
    item = _complaint(request, pk)
    form = RateForm(request.POST)
    return form_post(
        request,
        form,
        lambda data: services.rate_complaint(
            request.user, item, rating=data["score"], reason=data["reason"]
        ),
        render_page=lambda form, status, stale="": _page(request, item, form, status),
        redirect_to=reverse("portal:complaint", args=[item.pk]),
        success=lambda complaint: (
            _(
                "Your rating is recorded: the complaint is reopened and the department answers again."
            )
            if complaint.status != ComplaintStatus.CLOSED
            else _("Thank you: your rating is recorded and the complaint is closed.")
        ),
        errors_to=lambda error: apply_service_errors(form, as_score(error)),
    )


@portal_view
def complaint_attachment(request, pk, attachment_pk):
    item = _complaint(request, pk)
    attachment = get_object_or_404(own_files(request.user), pk=attachment_pk, complaint=item)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)
