"""The park committee's home: its parks' projects, their commitments and the parks' land.

A committee user sees the projects and parcels of every park their committee governs, and
of their own park (``visible_to``): the tiles count exactly that, as the commitments' do,
so the lists open unfiltered (a park's filter would leave the committee's other parks
out of some tiles and not of others)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhaoshang.agreements.views.lists import filtered_commitments
from zhaoshang.core import clock
from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import Section, counted
from zhaoshang.land.choices import ParcelStatus
from zhaoshang.land.views import filtered_parcels
from zhaoshang.org.models import Park
from zhaoshang.projects.views.registry import filtered_projects


def _commitments(request):
    return filtered_commitments(request, clock.today())


def parks_name(user) -> str:
    """The committee's name when it governs parks, else the user's own park's."""
    if user.department_id and Park.objects.filter(committee_id=user.department_id).exists():
        return str(user.department)
    return str(user.park or "")


def section(request) -> Section | None:
    user = request.user
    if not user.park_id and not user.department_id:
        return None
    tiles = [
        counted(request, "projects:list", filtered_projects, {}, _("Projects in the park")),
        counted(request, "agreements:commitments", _commitments, {}, _("Commitments")),
        counted(
            request,
            "agreements:commitments",
            _commitments,
            {"state": "unfiled"},
            _("Commitments to be filed"),
            "warning",
        ),
        counted(
            request,
            "agreements:commitments",
            _commitments,
            {"light": Light.RED},
            _("Commitments behind (red)"),
            "danger",
        ),
        counted(request, "land:parcels", filtered_parcels, {}, _("Land parcels")),
        counted(
            request,
            "land:parcels",
            filtered_parcels,
            {"status": ParcelStatus.IDLE},
            _("Idle parcels"),
            "danger",
        ),
    ]
    title = _("My park today: %(name)s") % {"name": parks_name(user)}
    return Section("park", title, tiles)
