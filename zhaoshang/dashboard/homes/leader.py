"""The leader's home: the receipts addressed to them still unread (圈阅 in one click), the
lights of their projects (those they serve: on the team, as designated contact leader) and
those escalated to the leader in charge, the lights before the joint meeting and the
district's red lights. Their projects, each with its light, are the page's "My projects"."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import Section, counted, listed_rows
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.views import filtered_signals
from zhaoshang.service.views.forwards import filtered_forwarded
from zhaoshang.service.views.receipts import filtered_inbox

UNREAD_SHOWN = 5
UNREAD = {"unread": "1"}  # the inbox's query string of the unread receipts
MY_PROJECTS = {"my_projects": "on"}  # the board's: the lights of the projects I serve


def section(request) -> Section:
    unread = counted(
        request,
        "service:inbox",
        filtered_inbox,
        UNREAD,
        _("Receipts to read"),
        "warning",
    )
    tiles = [
        unread,
        counted(
            request,
            "monitoring:board",
            filtered_signals,
            MY_PROJECTS,
            _("Lights on my projects"),
            "warning",
        ),
        counted(
            request,
            "monitoring:board",
            filtered_signals,
            {**MY_PROJECTS, "level": Level.LEADER},
            _("My projects' lights escalated to the leader in charge"),
            "danger",
        ),
        counted(
            request,
            "monitoring:board",
            filtered_signals,
            {"level": Level.MEETING},
            _("Lights before the joint meeting"),
            "danger",
        ),
        counted(
            request,
            "monitoring:board",
            filtered_signals,
            {"light": Light.RED},
            _("Red lights"),
            "danger",
        ),
    ]
    if request.user.is_principal_leader:
        # 报送主要领导: what the leaders in charge forwarded to a principal leader.
        tiles.insert(
            1,
            counted(
                request,
                "service:forwarded",
                filtered_forwarded,
                UNREAD,
                _("Forwarded to me, unread"),
                "warning",
            ),
        )
    receipts = []
    if unread.count:
        # The rows behind the tile, by the inbox's own filter (no private copy of its rule).
        receipts = list(
            listed_rows(request, filtered_inbox, UNREAD)
            .select_related("project", "department")
            .order_by("-visited_on", "-id")[:UNREAD_SHOWN]
        )
    return Section(
        "leader",
        _("To read and steer today"),
        tiles,
        template="dashboard/homes/leader.html",
        extra={"receipts": receipts, "more": unread.count - len(receipts)},
    )
