"""The home page: what each of the user's roles must do today (``homes/<role>.py``, every
count a link to the list showing those rows), the district's funnel, recent events; and the
leader's one-click 圈阅 of a receipt."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.core import pagecache, roles
from zhaoshang.core.roles import Role
from zhaoshang.dashboard import tallies
from zhaoshang.dashboard.homes import (
    bureau,
    city,
    department,
    leader,
    page,
    park,
    supervisor,
    team,
)
from zhaoshang.projects.models import Project

# The sections of each role, in the order a person with several roles sees them.
SECTIONS = (
    (Role.LEADER, leader.section),
    (Role.SUPERVISOR, supervisor.section),
    (Role.DEPARTMENT, department.section),
    (Role.PARK, park.section),
    (Role.BUREAU, bureau.section),
)


def role_sections(request) -> list:
    if roles.sees_all_districts(request.user):
        return []  # the city reads the districts side by side
    found = []
    for role, build in SECTIONS:
        if roles.has_role(request.user, role):
            section = build(request)
            if section is not None:
                found.append(section)
    # Project managers and secretaries are team roles, not groups: anyone may hold them.
    mine = team.section(request)
    if mine is not None:
        # Work to do comes before the bureau's overview of the registry.
        keys = [section.key for section in found]
        found.insert(keys.index("bureau") if "bureau" in keys else len(found), mine)
    return found


@login_required
@pagecache.kept_page
def home(request):
    """What each of my roles must do today (``role_sections``), the projects I serve, the
    district's funnel with amounts, recent events."""
    user = request.user
    visible = Project.objects.visible_to(user)
    mine = None
    if not roles.sees_all_districts(user):
        # The projects I serve (a park's: every project of the park), each with its light,
        # the red ones first (a leader's "their projects with lights").
        park = roles.has_role(user, Role.PARK) and user.park_id
        mine = page.my_projects(
            None if park else user,
            visible,
            viewer=user,
        )
    sections = role_sections(request)
    # The bureau's section draws the funnel as a chart: no second funnel beside it.
    charted = any(s.key == "bureau" for s in sections)
    # The side card's funnel and the city's districts from the districts' stored tallies.
    counted = None if charted else tallies.of_user(user)
    stages = None if charted else tallies.stage_funnel(counted, visible)
    if mine is not None and not mine and sections:
        mine = None  # the role's sections say what to do: no empty "my projects"
    attention = page.attention(visible, user)
    events = page.recent_events(user)
    districts = district_charts = None
    if roles.sees_all_districts(user):
        districts = city.district_rows(user, counted)
        district_charts = city.district_charts(districts)
    unread = page.unread_notifications(user)
    return render(
        request,
        "dashboard/home.html",
        {
            "funnel": stages and [(f.label, f.stage, f.count, f.amount) for f in stages.main],
            "exits": stages and [(f.label, f.stage, f.count) for f in stages.exits],
            "total": stages.total if stages else 0,
            "mine": mine,
            "sections": sections,
            "attention": attention,
            "events": events,
            "districts": districts,
            "district_charts": district_charts,
            "funnel_charted": charted,
            "unread": unread,
            # The big screen (驾驶舱) for those who steer (as the top bar offers it): leaders,
            # the bureau, the supervision office, the city.
            "show_screen": roles.sees_all_districts(user)
            or roles.has_role(user, Role.LEADER, Role.BUREAU, Role.SUPERVISOR, Role.ADMIN),
        },
    )


@login_required
@require_POST
def acknowledge(request, pk: int):
    """圈阅: the leader the receipt is addressed to marks it read from the home page."""
    from zhaoshang.service.models import Receipt
    from zhaoshang.service.services import mark_receipt_read

    receipt = get_object_or_404(Receipt.objects.visible_to(request.user), pk=pk)
    if receipt.addressee_id != request.user.pk:
        raise PermissionDenied
    if mark_receipt_read(request.user, receipt):
        messages.success(request, _("Receipt %(number)s read.") % {"number": receipt.number})
    return redirect("home")
