"""The park committee's home: its parks' projects, their commitments and the parks' land.

A committee user sees the projects and parcels of every park their committee governs, and
of their own park (``visible_to``): the tiles count exactly that, as the commitments' do,
so the lists open unfiltered (a park's filter would leave the committee's other parks
out of some tiles and not of others)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from zhaoshang.agreements.models import Commitment
from zhaoshang.agreements.views.common import own_department_only
from zhaoshang.agreements.views.lists import filtered_commitments
from zhaoshang.core import clock
from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import Figure, Section, grouped, projects_rows, tiles
from zhaoshang.dashboard.homes.figures import of_visible_projects
from zhaoshang.land.choices import ParcelStatus
from zhaoshang.land.models import LandParcel
from zhaoshang.land.views import filtered_parcels
from zhaoshang.org.models import Park
from zhaoshang.projects.models import Project
from zhaoshang.projects.views.registry import filtered_projects
from zhaoshang.workdays.services import seq_of

_COMMITMENT_FIGURES = ("total", "unfiled", "red")


def _commitments(request):
    return filtered_commitments(request, clock.today())


def parks_name(user) -> str:
    """The committee's name when it governs parks, else the user's own park's."""
    if user.department_id and Park.objects.filter(committee_id=user.department_id).exists():
        return str(user.department)
    return str(user.park or "")


def declared(request) -> list[Figure]:
    return [
        Figure("projects", "projects:list", filtered_projects, {}, _("Projects in the park")),
        Figure("commitments", "agreements:commitments", _commitments, {}, _("Commitments")),
        Figure(
            "unfiled",
            "agreements:commitments",
            _commitments,
            {"state": "unfiled"},
            _("Commitments to be filed"),
            "warning",
        ),
        Figure(
            "commitments_red",
            "agreements:commitments",
            _commitments,
            {"light": Light.RED},
            _("Commitments behind (red)"),
            "danger",
        ),
        Figure("parcels", "land:parcels", filtered_parcels, {}, _("Land parcels")),
        Figure(
            "idle",
            "land:parcels",
            filtered_parcels,
            {"status": ParcelStatus.IDLE},
            _("Idle parcels"),
            "danger",
        ),
    ]


def _commitment_counts(commitments, today):
    return grouped(
        commitments.with_progress(today),
        total=Count("pk"),
        unfiled=Count("pk", filter=Q(filed_version=0) | Q(changed_since_filing=True)),
        red=Count("pk", filter=Q(light=Light.RED)),
    )


def commitment_figures(user, today) -> dict[str, int]:
    """The commitments' tiles (all, to be filed, red) of the projects ``user`` sees. For a
    committee's parks or a whole district, one statement compiled once a day per process
    (``homes.projects_rows``; the light's working-day arithmetic reads today's number while
    building, so it is part of the key); for anyone else, built on each visit."""
    found = None
    if not own_department_only(user):

        def build(projects, district_id):
            # each commitment checked on its project's key (the district's commitments are
            # few; its park's projects may be thousands)
            of_projects = Commitment.objects.filter(
                Exists(projects.filter(pk=OuterRef("project_id"))), district_id=district_id
            )
            return _commitment_counts(of_projects, today)

        found = projects_rows(("park.commitments", today, seq_of(today)), user, build)
    if found is None:
        # A commitment is kept in its project's district: the district's, each checked on
        # its project.
        commitments = of_visible_projects(
            Commitment.objects.filter(district_id=user.district_id), user
        )
        if own_department_only(user):
            commitments = commitments.filter(department_id=user.department_id)
        found = list(_commitment_counts(commitments, today))
    return found[0] if found else dict.fromkeys(_COMMITMENT_FIGURES, 0)


def figures(request) -> dict[str, int]:
    """The tiles' figures in three queries: the projects off the index on district and
    park, the commitments (with their lights) and the parcels each in one pass."""
    user, today = request.user, clock.today()
    commitments = commitment_figures(user, today)
    parcels = LandParcel.objects.visible_to(user).aggregate(
        total=Count("pk"), idle=Count("pk", filter=Q(status=ParcelStatus.IDLE))
    )
    return {
        "projects": Project.objects.visible_to(user).count(),
        "commitments": commitments["total"],
        "unfiled": commitments["unfiled"],
        "commitments_red": commitments["red"],
        "parcels": parcels["total"],
        "idle": parcels["idle"],
    }


def section(request) -> Section | None:
    user = request.user
    if not user.park_id and not user.department_id:
        return None
    title = _("My park today: %(name)s") % {"name": parks_name(user)}
    return Section("park", title, tiles(declared(request), figures(request)))
