"""Land pages (SPEC §11; the work plan's 用地保障 and 园区土地清理): the parcels with their
filters and Excel export, a parcel with its idle-land clock and status record, the annual
land plan, and the half-yearly clean-up campaigns with their entries, decisions and report.

Every change goes through ``land.services``; a record outside the user's scope is a 404.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhaoshang.core import clock, roles
from zhaoshang.core.actions import button_post, form_page, form_post, panel, record_action_view
from zhaoshang.core.audit import event_label
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.views_helpers import paginate
from zhaoshang.land import permissions, services
from zhaoshang.land.actions import ACTIONS
from zhaoshang.land.choices import REVISABLE_FOLLOW_UPS, EntryCategory
from zhaoshang.land.forms import (
    CampaignForm,
    CloseForm,
    DecideForm,
    ParcelFilterForm,
    ParcelForm,
    StatusForm,
)
from zhaoshang.land.models import CampaignEntry, LandCampaign, LandParcel, LandPlan
from zhaoshang.org.models import District
from zhaoshang.projects.models import ProjectTeamMember


def _parcels(request):
    return (
        LandParcel.objects.visible_to(request.user)
        .with_clock(clock.today())
        .select_related("park", "project__enterprise", "district")
    )


def filtered_parcels(request):
    """The parcels the list shows, filtered as the query string says; shared by the list
    and its export."""
    form = ParcelFilterForm(request.GET or None, user=request.user)
    qs = _parcels(request)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("park"):
            qs = qs.filter(park=data["park"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("land_use"):
            qs = qs.filter(land_use=data["land_use"])
        if data.get("clock"):
            qs = qs.filter(clock_code=data["clock"])
    return form, qs.order_by("district_id", "code", "id")


def _with_clocks(rows, today):
    for parcel in rows:
        parcel.idle_clock = parcel.clock(today)
    return rows


def _may_add(request) -> bool:
    district_id = request.user.district_id
    return district_id is not None and permissions.can_add_parcels(request.user, district_id)


@login_required
def parcel_list(request):
    form, qs = filtered_parcels(request)
    page = paginate(request, qs)
    _with_clocks(page.object_list, clock.today())
    return render(
        request,
        "land/parcels.html",
        {
            "form": form,
            "page": page,
            "show_district": roles.sees_all_districts(request.user),
            "can_add": _may_add(request),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def parcel_export(request):
    _form, qs = filtered_parcels(request)
    today = clock.today()

    def idle_clock(p):
        return p.clock(today)

    columns = [
        (_("Parcel number"), lambda p: p.code),
        (_("Name"), lambda p: p.name),
        (_("Location"), lambda p: p.location),
        (_("Park"), lambda p: p.park.name),
        (_("Area (mu)"), lambda p: p.area),
        (_("Land use"), lambda p: p.get_land_use_display()),
        (_("Status"), lambda p: p.get_status_display()),
        (_("Project"), lambda p: str(p.project) if p.project_id else ""),
        (
            _("Enterprise"),
            lambda p: p.project.enterprise.name if p.project_id and p.project.enterprise_id else "",
        ),
        (_("Delivered on"), lambda p: p.delivered_on),
        (_("Land price (10k yuan)"), lambda p: p.land_price),
        (_("Land contract number"), lambda p: p.contract_number),
        (_("Agreed start of construction"), lambda p: p.effective_start_on),
        (
            _("Idle-land clock"),
            lambda p: idle_clock(p).get_state_display() if idle_clock(p).running else "",
        ),
        (_("Idle from"), lambda p: idle_clock(p).idle_on),
        (_("Days to idle"), lambda p: idle_clock(p).days_to_idle),
        (
            _("Idle fee (10k yuan)"),
            lambda p: idle_clock(p).idle_fee if idle_clock(p).running else None,
        ),
        (_("Recoverable from"), lambda p: idle_clock(p).recoverable_on),
        (_("Days to recovery"), lambda p: idle_clock(p).days_to_recoverable),
        (_("Recovered on"), lambda p: p.recovered_on),
    ]
    if roles.sees_all_districts(request.user):
        columns.insert(0, (_("District"), lambda p: str(p.district)))
    return xlsx_response(
        "land-parcels",
        _("Land parcels"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Land parcels register"),
    )


@login_required
def parcel_create(request):
    if not _may_add(request):
        raise PermissionDenied
    user = request.user
    form = ParcelForm(request.POST or None, user=user, district_id=user.district_id)
    return form_post(
        request,
        form,
        lambda data: services.create_parcel(
            user, district=user.district, **{k: v for k, v in data.items() if k != "version"}
        ),
        render_page=form_page(request, "land/parcel_form.html"),
        redirect_to=lambda parcel: parcel.get_absolute_url(),
        success=lambda parcel: _("The parcel %(code)s has been recorded.") % {"code": parcel.code},
    )


@login_required
def parcel_edit(request, pk):
    parcel = get_object_or_404(_parcels(request), pk=pk)
    if not permissions.can_edit_parcel(request.user, parcel):
        raise PermissionDenied
    form = ParcelForm(
        request.POST or None, user=request.user, district_id=parcel.district_id, record=parcel
    )

    def render_page(form, status, stale):
        context = {"form": form, "parcel": parcel, "stale": stale}
        return render(request, "land/parcel_form.html", context, status=status)

    return form_post(
        request,
        form,
        lambda data: services.update_parcel(
            request.user,
            parcel,
            expected_version=data.get("version"),
            **{k: v for k, v in data.items() if k != "version"},
        ),
        render_page=render_page,
        redirect_to=parcel.get_absolute_url(),
        success=_("The parcel has been saved."),
    )


def _parcel_context(request, parcel, status_form=None, stale: str = "") -> dict:
    today = clock.today()
    events = list(
        DomainEvent.objects.for_object(parcel).select_related("actor").order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
    may_edit = permissions.can_edit_parcel(request.user, parcel)
    if may_edit and status_form is None:
        status_form = StatusForm(record=parcel, auto_id="id_status_%s")
    return {
        "parcel": parcel,
        "clock": parcel.clock(today),
        "events": events,
        "may_edit": may_edit,
        "status_form": status_form if may_edit else None,
        "stale": stale,
        "project": parcel.project,
    }


@login_required
def parcel_detail(request, pk):
    parcel = get_object_or_404(_parcels(request), pk=pk)
    return render(request, "land/parcel.html", _parcel_context(request, parcel))


@login_required
@require_POST
def parcel_status(request, pk):
    parcel = get_object_or_404(_parcels(request), pk=pk)
    if not permissions.can_edit_parcel(request.user, parcel):
        raise PermissionDenied

    def render_page(form, status, stale):
        if status == 409:
            fresh = get_object_or_404(_parcels(request), pk=pk)
            context = _parcel_context(request, fresh, stale=stale)
        else:
            context = _parcel_context(request, parcel, form)
        return render(request, "land/parcel.html", context, status=status)

    return form_post(
        request,
        StatusForm(request.POST, record=parcel, auto_id="id_status_%s"),
        lambda data: services.change_parcel_status(
            request.user,
            parcel,
            status=data["status"],
            on=data.get("on"),
            reason=data.get("reason", ""),
            document=data.get("document", ""),
            project=data.get("project"),
            expected_version=data.get("version"),
        ),
        render_page=render_page,
        redirect_to=parcel.get_absolute_url(),
        success=_("The status of the parcel has been changed."),
    )


# ---------------------------------------------------------------------------------------
# The annual land plan


@login_required
def land_plan(request):
    """年度用地计划: per visible district, the quota, what was supplied in the year, the
    share reserved for major projects and what major projects used, and what remains."""
    today = clock.today()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year + 1)
    user = request.user
    districts = District.objects.order_by("id")
    if not roles.sees_all_districts(user):
        districts = districts.filter(pk=user.district_id)
    plans = {p.district_id: p for p in LandPlan.objects.visible_to(user).filter(year=year)}
    figures = LandParcel.objects.visible_to(user).plan_figures(year)
    rows = []
    zero = Decimal("0")
    for district in districts:
        plan = plans.get(district.pk)
        got = figures.get(district.pk, {})
        supplied = got.get("supplied") or zero
        supplied_major = got.get("supplied_major") or zero
        row = {
            "district": district,
            "plan": plan,
            "supplied": supplied,
            "supplied_major": supplied_major,
            "supplied_other": supplied - supplied_major,
            "reserved": got.get("reserved") or zero,
            "reserved_major": got.get("reserved_major") or zero,
        }
        if plan is not None:
            row["remaining"] = plan.quota - supplied
            row["major_remaining"] = plan.major_reserve - supplied_major
            row["other_quota"] = plan.quota - plan.major_reserve
            row["other_remaining"] = row["other_quota"] - row["supplied_other"]
            row["used_share"] = (supplied / plan.quota * 100) if plan.quota else None
        rows.append(row)
    return render(
        request,
        "land/plan.html",
        {
            "year": year,
            "years": list(range(today.year + 1, today.year - 5, -1)),
            "rows": rows,
            "show_district": roles.sees_all_districts(user),
        },
    )


# ---------------------------------------------------------------------------------------
# Clean-up campaigns


def _campaigns(request):
    return LandCampaign.objects.visible_to(request.user).select_related(
        "district", "opened_by", "closed_by"
    )


def _may_open(request) -> bool:
    district_id = request.user.district_id
    return district_id is not None and permissions.can_manage_campaigns(request.user, district_id)


@login_required
def campaign_list(request):
    qs = _campaigns(request).annotate(
        entry_count=Count("entries", distinct=True),
        undecided=Count("entries", filter=Q(entries__decision=""), distinct=True),
    )
    return render(
        request,
        "land/campaigns.html",
        {
            "page": paginate(request, qs.order_by("-year", "-half", "-id")),
            "show_district": roles.sees_all_districts(request.user),
            "can_open": _may_open(request),
        },
    )


@login_required
def campaign_open(request):
    if not _may_open(request):
        raise PermissionDenied
    return form_post(
        request,
        CampaignForm(request.POST or None),
        lambda data: services.open_campaign(request.user, district=request.user.district, **data),
        render_page=form_page(request, "land/campaign_form.html"),
        redirect_to=lambda campaign: campaign.get_absolute_url(),
        success=lambda campaign: (
            _("The campaign %(name)s has been opened with %(count)d entries.")
            % {"name": campaign, "count": campaign.entries.count()}
        ),
    )


def _entries(request, campaign):
    return (
        CampaignEntry.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .with_days_left(clock.today())
        .select_related(
            "project__enterprise", "project__park", "parcel", "decided_by", "exit_warning"
        )
        .order_by("category", "project__code", "id")
    )


def _know_teams(user, entries) -> None:
    """Whether the user is on each entry's project team, read in one query (the exit
    action asks it of every entry under clearance)."""
    mine = set(
        ProjectTeamMember.objects.filter(
            project_id__in={e.project_id for e in entries}, user_id=user.pk
        ).values_list("project_id", flat=True)
    )
    for entry in entries:
        entry.project._team_user_ids = {user.pk} if entry.project_id in mine else set()


def _campaign_context(request, campaign, bound=None, close_form=None, stale: str = "") -> dict:
    """The campaign page: per category, each entry with its decision form (while the
    decision may still be revised) and the actions that carry it out. ``bound`` is a form
    refused a moment ago, shown again with its errors."""
    user = request.user
    may_manage = permissions.can_manage_campaign(user, campaign) and campaign.is_open
    entries = list(_entries(request, campaign))
    _know_teams(user, entries)
    bound_pk = getattr(getattr(bound, "record", None), "pk", None)
    groups = []
    for category, label in EntryCategory.choices:
        rows = []
        for entry in entries:
            if entry.category != category:
                continue
            entry.campaign = campaign
            form = None
            if may_manage and entry.followup in REVISABLE_FOLLOW_UPS:
                if isinstance(bound, DecideForm) and bound_pk == entry.pk:
                    form = bound
                else:
                    form = DecideForm(record=entry, auto_id=f"id_entry{entry.pk}_%s")
            actions = panel(
                user,
                entry,
                ACTIONS,
                lambda action, pk=entry.pk: reverse("land:entry_action", args=[pk, action.slug]),
                bound=bound if bound_pk == entry.pk else None,
                record_kwarg="record",
            )
            rows.append((entry, form, actions))
        groups.append((category, label, rows))
    undecided = sum(1 for e in entries if not e.decision)
    lacking = [e for e in entries if e.lacks_followup]
    if may_manage and close_form is None:
        close_form = CloseForm(record=campaign, auto_id="id_close_%s")
    return {
        "campaign": campaign,
        "groups": groups,
        "entry_count": len(entries),
        "undecided": undecided,
        "lacking": lacking,
        "may_manage": may_manage,
        "close_form": close_form if may_manage else None,
        "stale": stale,
    }


@login_required
def campaign_detail(request, pk):
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    return render(request, "land/campaign.html", _campaign_context(request, campaign))


@login_required
def campaign_export(request, pk):
    """The campaign report (清理报告): every entry with its facts and decision."""
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    columns = [
        (_("Category"), lambda e: e.get_category_display()),
        (_("Project code"), lambda e: e.project.code),
        (_("Project"), lambda e: e.project.name),
        (_("Enterprise"), lambda e: e.project.enterprise.name if e.project.enterprise_id else ""),
        (_("Park"), lambda e: e.project.park.name),
        (_("Parcel"), lambda e: e.parcel.code if e.parcel_id else ""),
        (_("Land area (mu)"), lambda e: e.land_area),
        (_("Signed on"), lambda e: e.signed_on),
        (_("Land delivered on"), lambda e: e.delivered_on),
        (_("Started on"), lambda e: e.started_on),
        (_("In production on"), lambda e: e.production_on),
        (_("Investment intensity (10k yuan per mu)"), lambda e: e.intensity),
        (_("Minimum investment intensity"), lambda e: e.min_intensity),
        (_("Tax per mu (10k yuan per mu)"), lambda e: e.tax_per_mu),
        (_("Minimum tax per mu"), lambda e: e.min_tax_per_mu),
        (_("Disposal decision"), lambda e: e.get_decision_display()),
        (pgettext("clean-up decision", "Deadline"), lambda e: e.deadline),
        (_("Reason"), lambda e: e.decision_reason),
        (_("Reason for deciding against the facts"), lambda e: e.facts_reason),
        (_("Follow-up"), lambda e: e.get_followup_display()),
        (_("Deadline missed (found on)"), lambda e: e.overdue_on),
        (_("Follow-up done on"), lambda e: e.done_on),
        (_("Decided by"), lambda e: e.decided_by.display_name if e.decided_by_id else ""),
        (_("Decided at"), lambda e: e.decided_at),
    ]
    name = f"land-campaign-{campaign.year}-{campaign.half}"
    return xlsx_response(
        name,
        str(campaign),
        columns,
        _entries(request, campaign).iterator(),
        name=pgettext("file name", "Land clean-up %(campaign)s") % {"campaign": campaign},
    )


@login_required
@require_POST
def campaign_generate(request, pk):
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    if not permissions.can_manage_campaign(request.user, campaign):
        raise PermissionDenied

    def render_page(status):
        fresh = get_object_or_404(_campaigns(request), pk=pk) if status == 409 else campaign
        context = _campaign_context(request, fresh)
        return render(request, "land/campaign.html", context, status=status)

    return button_post(
        request,
        lambda: services.generate_entries(request.user, campaign),
        render_page=render_page,
        redirect_to=campaign.get_absolute_url(),
        success=lambda added: _("%(count)d new entries added.") % {"count": added},
    )


@login_required
@require_POST
def campaign_close(request, pk):
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    if not permissions.can_manage_campaign(request.user, campaign):
        raise PermissionDenied

    def render_page(form, status, stale):
        if status == 409:
            fresh = get_object_or_404(_campaigns(request), pk=pk)
            context = _campaign_context(request, fresh, stale=stale)
        else:
            context = _campaign_context(request, campaign, close_form=form)
        return render(request, "land/campaign.html", context, status=status)

    return form_post(
        request,
        CloseForm(request.POST, record=campaign, auto_id="id_close_%s"),
        lambda data: services.close_campaign(
            request.user, campaign, expected_version=data.get("version")
        ),
        render_page=render_page,
        redirect_to=campaign.get_absolute_url(),
        success=_("The campaign has been closed."),
    )


@login_required
@require_POST
def entry_decide(request, pk):
    entry = get_object_or_404(
        CampaignEntry.objects.visible_to(request.user).select_related("campaign"), pk=pk
    )
    campaign = entry.campaign
    if not permissions.can_manage_campaign(request.user, campaign):
        raise PermissionDenied

    def render_page(form, status, stale):
        bound = {"stale": stale} if status == 409 else {"bound": form}
        context = _campaign_context(request, campaign, **bound)
        return render(request, "land/campaign.html", context, status=status)

    return form_post(
        request,
        DecideForm(request.POST, record=entry, auto_id=f"id_entry{entry.pk}_%s"),
        lambda data: services.decide_entry(
            request.user,
            entry,
            decision=data["decision"],
            reason=data.get("reason", ""),
            deadline=data.get("deadline"),
            facts_reason=data.get("facts_reason", ""),
            expected_version=data.get("version"),
        ),
        render_page=render_page,
        redirect_to=entry.get_absolute_url(),
        success=_("The decision has been recorded and its follow-up started."),
    )


def _entry_page(request, entry, bound=None, stale=""):
    return _campaign_context(request, entry.campaign, bound=bound, stale=stale)


@login_required
@require_POST
def entry_action(request, pk, action):
    """An action that carries out a decision (``land.actions``), from the campaign page."""
    if action not in ACTIONS:
        raise Http404
    return record_action_view(
        request,
        CampaignEntry.objects.visible_to(request.user).select_related("campaign", "project"),
        pk,
        ACTIONS[action],
        template="land/campaign.html",
        context=_entry_page,
    )
