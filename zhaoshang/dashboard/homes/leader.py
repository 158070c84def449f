"""The leader's home: the receipts addressed to them still unread (圈阅 in one click), the
lights of their projects (those they serve: on the team, as designated contact leader) and
those escalated to the leader in charge, the lights before the joint meeting and the
district's red lights. Their projects, each with its light, are the page's "My projects"."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _

from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import (
    Figure,
    Section,
    district_aggregate,
    district_rows,
    grouped,
    tiles,
)
from zhaoshang.dashboard.homes.figures import of_visible_projects, signal_figures
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.views import filtered_signals
from zhaoshang.projects.models import Project
from zhaoshang.service.models import Forward, Receipt
from zhaoshang.service.views.forwards import filtered_forwarded
from zhaoshang.service.views.receipts import filtered_inbox

UNREAD_SHOWN = 5
UNREAD = {"unread": "1"}  # the inbox's query string of the unread receipts
MY_PROJECTS = {"my_projects": "on"}  # the board's: the lights of the projects I serve
# The lights of my projects are counted up to this many and shown "99+" above, as the team's
# tiles of work are (a badge; its link opens the board with the exact total): a leader in
# charge may serve thousands of a large district's projects (``figures.served_lights``).
CAP = 99


def declared(request) -> list[Figure]:
    board = "monitoring:board"
    found = [
        Figure("unread", "service:inbox", filtered_inbox, UNREAD, _("Receipts to read"), "warning"),
        Figure(
            "mine",
            board,
            filtered_signals,
            MY_PROJECTS,
            _("Lights on my projects"),
            "warning",
            cap=CAP,
        ),
        Figure(
            "mine_leader",
            board,
            filtered_signals,
            {**MY_PROJECTS, "level": Level.LEADER},
            _("My projects' lights escalated to the leader in charge"),
            "danger",
        ),
        Figure(
            "meeting",
            board,
            filtered_signals,
            {"level": Level.MEETING},
            _("Lights before the joint meeting"),
            "danger",
        ),
        Figure("red", board, filtered_signals, {"light": Light.RED}, _("Red lights"), "danger"),
    ]
    if request.user.is_principal_leader:
        # 报送主要领导: what the leaders in charge forwarded to a principal leader.
        found.insert(
            1,
            Figure(
                "forwarded",
                "service:forwarded",
                filtered_forwarded,
                UNREAD,
                _("Forwarded to me, unread"),
                "warning",
            ),
        )
    return found


def _unread(user):
    """The receipts addressed to ``user`` not yet read (the inbox's ``unread``)."""
    return of_visible_projects(Receipt.objects.addressed_to(user).unread(), user)


def _unread_of_district(district_id, person):
    """``_unread`` for a person who sees the whole district ``district_id``."""
    projects = Project.objects.filter(district_id=district_id, pk=OuterRef("project_id"))
    return Receipt.objects.addressed_to(person).unread().filter(Exists(projects))


def _receipts(unread):
    return unread.select_related("project", "department").order_by("-visited_on", "-id")[
        :UNREAD_SHOWN
    ]


def figures(request) -> dict[str, int]:
    """The tiles' figures: the unread receipts off the addressee's index, three lights'
    tiles in one pass over the district's lights, the lights of my projects up to ``CAP`` + 1."""
    user = request.user
    found = signal_figures(user, mine_cap=CAP)
    unread = district_aggregate(
        "leader.unread",
        user,
        lambda district_id, person: grouped(
            _unread_of_district(district_id, person), n=Count("pk")
        ),
        ["n"],
        uses=("user",),
    )
    found["unread"] = _unread(user).count() if unread is None else unread["n"]
    if user.is_principal_leader:
        found["forwarded"] = (
            Forward.objects.visible_to(user).filter(recipient=user).unread().count()
        )
    return found


def section(request) -> Section:
    figures_ = figures(request)
    receipts = []
    if figures_["unread"]:
        receipts = district_rows(
            "leader.receipts",
            request.user,
            lambda district_id, person: _receipts(_unread_of_district(district_id, person)),
            uses=("user",),
        )
        if receipts is None:
            receipts = list(_receipts(_unread(request.user)))
    return Section(
        "leader",
        _("To read and steer today"),
        tiles(declared(request), figures_),
        template="dashboard/homes/leader.html",
        extra={"receipts": receipts, "more": figures_["unread"] - len(receipts)},
    )
