"""My projects (我的项目): the service hall's home — each project of the enterprise as a
card with its light and next deadline, and a to-do strip — and a project's page: the
stage line with its dates and the evidence the enterprise may see, its light and why,
the service team with phone numbers, the leader in charge and the next deadlines on both
sides. What is shown is read by ``portal.project_facts`` and ``portal.deadlines``."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse

from zhaoshang.core import clock, pagecache
from zhaoshang.core.lights import Light
from zhaoshang.portal import project_facts as facts
from zhaoshang.portal.access import portal_view
from zhaoshang.portal.deadlines import ENTERPRISE, GOVERNMENT, deadlines_of, month_start
from zhaoshang.portal.menu import PORTAL_MENU
from zhaoshang.projects.models import DocumentVersion

LIT = (Light.RED, Light.YELLOW)
HOME_REASONS = 2  # the reasons a home card lists; the project's page lists them all
PAGE_DEADLINES = 8  # the next deadlines of each side a project's page lists (the nearest)


def area_urls() -> dict[str, str]:
    """{URL name: URL} of the menu's areas that are installed (another area's page is
    linked only when its routes exist)."""
    urls = {}
    for _label, name, _icon, _tab in PORTAL_MENU:
        try:
            urls[name.split(":")[-1]] = reverse(name)
        except NoReverseMatch:
            continue
    return urls


def funds_share(project) -> int:
    """Funds in place as a whole percentage of the total investment (0–100), for a bar."""
    if not project.total_investment:
        return 0
    return max(0, min(100, int(project.funds_in_place * 100 / project.total_investment)))


def next_deadline(deadlines: dict[str, list]):
    """The earliest of both sides' deadlines (an overdue one first), or None."""
    rows = [d for side in deadlines.values() for d in side if d.due_on]
    return min(rows, key=lambda d: d.sort_key) if rows else None


def to_do(deadlines_by_project: dict, today) -> dict[str, int]:
    """The home's to-do strip: reports due this month (or overdue), the open approval cases
    and needs, and the enterprise's obligations due soon or overdue."""
    counts = {"reports": 0, "cases": 0, "needs": 0, "obligations": 0}
    this_month = month_start(today)
    for sides in deadlines_by_project.values():
        for d in sides[ENTERPRISE]:
            if d.kind == "report" and month_start(d.due_on) <= this_month:
                counts["reports"] += 1
            elif d.kind in ("obligation", "pledge", "notice") and d.light in LIT:
                counts["obligations"] += 1
        for d in sides[GOVERNMENT]:
            if d.kind == "case":
                counts["cases"] += 1
            elif d.kind == "need":
                counts["needs"] += 1
    return counts


@portal_view
@pagecache.kept_page
def home(request):
    today = clock.today()
    projects = facts.project_list(request.user)
    deadlines = deadlines_of(projects, today)
    reasons = facts.light_reasons(p.pk for p in projects)
    for p in projects:
        lit = reasons.get(p.pk, [])
        p.reasons_shown, p.reasons_more = lit[:HOME_REASONS], max(len(lit) - HOME_REASONS, 0)
        p.next_deadline = next_deadline(deadlines[p.pk])
        p.funds_share = funds_share(p)
    return render(
        request,
        "portal/home.html",
        {
            "projects": projects,
            "enterprise": request.user.enterprise,
            "todo": to_do(deadlines, today),
            "areas": area_urls(),
            "today": today,
        },
    )


@portal_view
def project(request, pk):
    user = request.user
    today = clock.today()
    item = get_object_or_404(facts.project_rows(user), pk=pk)
    deadlines = deadlines_of([item], today)[item.pk]
    return render(
        request,
        "portal/project.html",
        {
            "project": item,
            "steps": facts.stage_line(item),
            "events": facts.stage_events(user, item),
            "reasons": facts.light_reasons([item.pk]).get(item.pk, []),
            "team": facts.service_team(item),
            "leader": facts.leaders([item.pk]).get(item.pk),
            "enterprise_deadlines": deadlines[ENTERPRISE][:PAGE_DEADLINES],
            "enterprise_more": max(len(deadlines[ENTERPRISE]) - PAGE_DEADLINES, 0),
            "government_deadlines": deadlines[GOVERNMENT][:PAGE_DEADLINES],
            "government_more": max(len(deadlines[GOVERNMENT]) - PAGE_DEADLINES, 0),
            "documents": facts.visible_versions(user, item)[:30],
            "areas": area_urls(),
            "today": today,
        },
    )


@portal_view
def document(request, pk, version_pk):
    """A version of the project's library the enterprise may see (its own upload, or stage
    evidence exchanged with it); any other is not there (404)."""
    project = get_object_or_404(facts.own_projects(request.user), pk=pk)
    version = get_object_or_404(
        DocumentVersion.objects.filter(facts.visible_versions_q(request.user)),
        pk=version_pk,
        document__project=project,
    )
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=version.original_name)
