"""The enterprise's needs (企业诉求) in the service hall: the list with each one's status,
department and due date, raising one for a project (with files), and following one to its
answer — and rating the answer (好差评). Only the caller's enterprise's needs exist here."""

from __future__ import annotations

from django import forms
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhaoshang.core import clock
from zhaoshang.core.actions import form_post
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.views_helpers import paginate
from zhaoshang.core.widgets import every_option
from zhaoshang.org.choices import DepartmentKind
from zhaoshang.org.models import Department
from zhaoshang.portal.access import own_projects, portal_view
from zhaoshang.ratings.choices import Score, SubjectKind
from zhaoshang.ratings.models import Rating
from zhaoshang.ratings.services import rating_of
from zhaoshang.service import services
from zhaoshang.service.choices import OPEN_NEED_STATUSES, NeedCategory, NeedStatus
from zhaoshang.service.models import Need, NeedAttachment

# How the need's steps read to the enterprise (the staff's labels speak of 问题清单).
STEP_LABELS = {
    "need.raised": gettext_lazy("Need raised"),
    "need.updated": gettext_lazy("Passed on or updated by the government"),
    "need.started": gettext_lazy("Taken up by the department"),
    "need.resolved": gettext_lazy("Answered"),
    "need.escalated": gettext_lazy("Submitted to a joint meeting"),
    "need.closed": gettext_lazy("Closed"),
}


# A need's status as the enterprise reads it (the staff's words are the problem list's).
STATUS_LABELS = {
    NeedStatus.PENDING: gettext_lazy("Waiting for the department"),
    NeedStatus.IN_PROGRESS: gettext_lazy("Being handled"),
    NeedStatus.RESOLVED: gettext_lazy("Answered"),
    NeedStatus.ESCALATED: gettext_lazy("At a joint meeting"),
    NeedStatus.CLOSED: gettext_lazy("Closed"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check their number and each one (type,
    size, content — an empty one too), with the form's other problems."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)  # the service names it with the rest
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


def files_help(most: int) -> str:
    return _("Optional, at most %(max)s files: PDF, image, Word, Excel, OFD or ZIP.") % {
        "max": most
    }


class RateForm(BootstrapMixin, forms.Form):
    """满意/基本满意/不满意 and the reason; the service says every problem at once."""

    score = forms.ChoiceField(
        choices=Score.choices,
        required=False,
        widget=forms.RadioSelect,
        label=gettext_lazy("Your rating"),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Required when you are not satisfied."),
    )


def need_departments(user):
    """The departments an enterprise may address a need to (page and API): its district's,
    but the supervision office (it follows the government's work up; it does not answer
    needs)."""
    return (
        Department.objects.filter(district_id=user.district_id)
        .exclude(kind=DepartmentKind.SUPERVISION)
        .order_by("sort_order", "name")
    )


class NeedForm(BootstrapMixin, forms.Form):
    """The need the enterprise raises; its fields are checked by the service, every
    problem at once (``marked_required``: what the service requires)."""

    marked_required = ("project", "category", "title", "description")
    project = forms.ModelChoiceField(
        queryset=None, required=False, label=gettext_lazy("Project"), widget=every_option()
    )
    category = forms.ChoiceField(
        choices=[("", "---------"), *NeedCategory.choices],
        required=False,
        label=gettext_lazy("Category"),
    )
    title = forms.CharField(max_length=120, required=False, label=gettext_lazy("Need title"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label=gettext_lazy("What you need"),
        help_text=gettext_lazy("What you need, what stands in the way, by when it matters."),
    )
    department = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Department concerned"),
        empty_label=gettext_lazy("Leave it to the government (the investment bureau)"),
        help_text=gettext_lazy(
            "Not sure? The investment bureau passes your need to the right department."
        ),
    )
    attachments = MultipleFileField(label=gettext_lazy("Attachments"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = files_help(services.MAX_NEED_FILES)
        projects = own_projects(user).order_by("-id")
        self.fields["project"].queryset = projects
        self.fields["department"].queryset = need_departments(user)
        only = list(projects.values_list("pk", flat=True)[:2])
        if not self.is_bound and len(only) == 1:
            self.initial["project"] = only[0]


def own_needs(user):
    """The needs of the contact's enterprise's projects."""
    return Need.objects.filter(project__enterprise_id=user.enterprise_id)


def with_rating(queryset):
    """Each need's rating score (blank until rated), in the same query."""
    ratings = Rating.objects.filter(subject_kind=SubjectKind.NEED, subject_id=OuterRef("pk"))
    return queryset.annotate(rated_score=Subquery(ratings.values("score")[:1]))


def needs_in_order(user):
    """The enterprise's needs for its list (page and API): the open ones first, the soonest
    due first, each with its days left, light and rating."""
    return (
        with_rating(own_needs(user).with_days_left(clock.today()))
        .select_related("project", "department")
        .annotate(
            closed=Case(
                When(status__in=OPEN_NEED_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "due_on", "-id")
    )


@portal_view
def needs(request):
    page = paginate(request, needs_in_order(request.user))
    scores = dict(Score.choices)
    for need in page:
        need.rated_label = scores.get(need.rated_score, "")
        need.status_label = STATUS_LABELS[need.status]
    return render(request, "portal/needs/list.html", {"page": page})


@portal_view
def need_new(request):
    posted = request.method == "POST"
    form = NeedForm(
        request.POST if posted else None, request.FILES if posted else None, user=request.user
    )

    def render_page(form, status, stale=""):
        context = {"form": form, "workdays": services.ENTERPRISE_NEED_WORKDAYS}
        return render(request, "portal/needs/new.html", context, status=status)

    return form_post(
        request,
        form,
        lambda data: services.raise_enterprise_need(
            request.user,
            data["project"],
            category=data["category"],
            title=data["title"],
            description=data["description"],
            department=data["department"],
            files=data["attachments"],
        ),
        render_page=render_page,
        redirect_to=lambda need: reverse("portal:need", args=[need.pk]),
        success=lambda need: (
            _("Your need %(number)s has gone to %(department)s; the answer is due by %(due)s.")
            % {
                "number": need.number,
                "department": need.department.name,
                "due": need.due_on.isoformat(),
            }
        ),
    )


def _need(request, pk) -> Need:
    return get_object_or_404(own_needs(request.user).select_related("project", "department"), pk=pk)


def _page(request, need: Need, rate_form=None, status: int = 200):
    events = DomainEvent.objects.for_object(need).filter(verb__in=STEP_LABELS)
    steps = [
        (event.occurred_at, STEP_LABELS[event.verb])
        for event in events.only("occurred_at", "verb").order_by("occurred_at", "id")
    ]
    need.status_label = STATUS_LABELS[need.status]
    rating = rating_of(SubjectKind.NEED, need.pk)
    rateable = rating is None and services.can_be_rated(need)
    context = {
        "need": need,
        "steps": steps,
        "attachments": list(need.attachments.all()),
        "rating": rating,
        "rate_form": (rate_form or RateForm()) if rateable else None,
        "due_passed": need.is_open and need.due_on < clock.today(),
    }
    return render(request, "portal/needs/detail.html", context, status=status)


@portal_view
def need(request, pk):
    return _page(request, _need(request, pk))


@portal_view
@require_POST
def need_rate(request, pk):
    item = _need(request, pk)
    form = RateForm(request.POST)
    return form_post(
        request,
        form,
        lambda data: services.rate_need(
            request.user, item, score=data["score"], reason=data["reason"]
        ),
        render_page=lambda form, status, stale="": _page(request, item, form, status),
        redirect_to=reverse("portal:need", args=[item.pk]),
        success=_("Thank you: your rating has been recorded."),
    )


@portal_view
def need_attachment(request, pk, attachment_pk):
    item = _need(request, pk)
    attachment = get_object_or_404(NeedAttachment, pk=attachment_pk, need=item)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)
