"""The park committee's home: its park's projects, their commitments and the park's land."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhaoshang.agreements.views.lists import filtered_commitments
from zhaoshang.core import clock
from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import Section, counted
from zhaoshang.land.choices import ParcelStatus
from zhaoshang.land.views import filtered_parcels
from zhaoshang.projects.views.registry import filtered_projects


def _commitments(request):
    return filtered_commitments(request, clock.today())


def section(request) -> Section | None:
    user = request.user
    if not user.park_id:
        return None
    park = {"park": user.park_id}
    tiles = [
        counted(request, "projects:list", filtered_projects, park, _("Projects in the park")),
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
        counted(request, "land:parcels", filtered_parcels, park, _("Land parcels")),
        counted(
            request,
            "land:parcels",
            filtered_parcels,
            {**park, "status": ParcelStatus.IDLE},
            _("Idle parcels"),
            "danger",
        ),
    ]
    title = _("My park today: %(name)s") % {"name": user.park}
    return Section("park", title, tiles)
