"""The big screen's lists (驾驶舱, issue 18 point 4): the red list (the red-light projects
with why, longest red first) and this week's changes (stage moves and new signings from the
projects' events, lights turning red or green from the daily scan's snapshots). Both start
from the projects the viewer may see and are capped: their cost does not grow with the
district."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.lights import Light, Subject
from zhaoshang.core.models import DomainEvent
from zhaoshang.monitoring.models import LightSnapshot, Signal
from zhaoshang.monitoring.querysets import light_q
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project

WEEK_DAYS = 7
RED_LIST_CAP = 60  # projects on the red list (the total is shown beside it)
REASONS_CAP = 3  # reasons shown per red project
CHANGES_CAP = 40  # rows of this week's changes
ENDED = (Stage.TERMINATED, Stage.EXITED)


# Lit things whose title is their number alone (TS-2026-0021): the reason names the kind.
NUMBERED = (Subject.COMPLAINT, Subject.INSPECTION)


def _without_project(title: str, project: str) -> str:
    """A title read under its project's own name: "<project> · <what>" (an exit warning, a
    land clean-up deadline) as the what alone; the project's name alone (the investment
    against its schedule, 序时进度, is titled so) as what it means."""
    if project and title == project:
        return str(_("Investment behind schedule"))
    prefix = f"{project} · "
    return title[len(prefix) :] if project and title.startswith(prefix) else title


def _signal_reason(subject: str, title: str, project: str) -> str:
    if subject in NUMBERED:
        return f"{Subject(subject).label} {title}"
    if subject == Subject.SCHEDULE:
        return str(_("Investment behind schedule"))
    return _without_project(title, project)


def _reason(reason, project: str = "") -> str:
    """A snapshot's reason: ``{"title", "department", "due_on"}`` as the daily scan writes
    it (``monitoring.services.project_lights``), or a plain text."""
    if isinstance(reason, dict):
        title = _without_project(str(reason.get("title") or ""), project)
        return " · ".join(x for x in (title, str(reason.get("department") or "")) if x)
    return str(reason)


def red_list(user, projects) -> dict:
    """The red-light projects, longest red first, with why (two queries, capped)."""
    # red on the stored rank: a district's red lights read off the board's index
    red = Signal.objects.visible_to(user).filter(
        light_q(Light.RED), project__in=projects.exclude(stage__in=ENDED).order_by().values("pk")
    )
    heads = list(
        red.order_by()
        .values("project_id")
        .annotate(first=Min("since"))
        .order_by("first", "project_id")[:RED_LIST_CAP]
    )
    total = red.order_by().values("project_id").distinct().count()
    ids = [h["project_id"] for h in heads]
    found: dict[int, dict] = {}
    for row in (
        red.filter(project_id__in=ids)
        .order_by("since", "id")
        .values(
            "project_id",
            "project__name",
            "project__code",
            "project__district__name",
            "project__park__name",
            "title",
            "subject",
            "since",
        )
    ):
        item = found.setdefault(
            row["project_id"],
            {
                "id": row["project_id"],
                "name": row["project__name"],
                "code": row["project__code"],
                "where": " · ".join(
                    x for x in (row["project__district__name"], row["project__park__name"]) if x
                ),
                "since": row["since"].isoformat(),
                "reasons": [],
                "more": 0,
                "url": reverse("projects:detail", args=[row["project_id"]]),
            },
        )
        if len(item["reasons"]) < REASONS_CAP:
            item["reasons"].append(
                _signal_reason(row["subject"], row["title"], row["project__name"])
            )
        else:
            item["more"] += 1
    today = clock.today()
    items = []
    for project_id in ids:
        item = found.get(project_id)
        if item is None:
            continue
        days = (today - datetime.date.fromisoformat(item["since"])).days
        item["days"] = _("Red for %(days)s days") % {"days": days}
        items.append(item)
    return {"items": items, "total": total}


def changes(user, projects, today: datetime.date) -> dict:
    """This week's changes (the last seven days, today included): stage moves and new
    signings (the projects' events), lights turning red or green (the daily scan's
    snapshots). Three queries for the rows, two for the counts."""
    since = today - datetime.timedelta(days=WEEK_DAYS - 1)
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    visible = projects.order_by().values("pk")
    events = (
        DomainEvent.objects.visible_to(user)
        .filter(
            verb="project.stage_changed",
            content_type__app_label="projects",
            content_type__model="project",
            object_id__in=visible,
            occurred_at__gte=start,
        )
        .order_by("-occurred_at", "-id")
    )
    counts = events.aggregate(
        moves=Count("id"), signed=Count("id", filter=Q(data__to_stage=Stage.SIGNED))
    )
    previous = (
        LightSnapshot.objects.filter(project=OuterRef("project"), on__lt=OuterRef("on"))
        .order_by("-on")
        .values("light")[:1]
    )
    turned = (
        LightSnapshot.objects.filter(project__in=visible, on__gte=since, on__lte=today)
        .annotate(before=Coalesce(Subquery(previous), Value(Light.GREEN)))
        .exclude(light=F("before"))
        .filter(light__in=(Light.RED, Light.GREEN))
    )
    light_counts = turned.aggregate(
        red=Count("id", filter=Q(light=Light.RED)), green=Count("id", filter=Q(light=Light.GREEN))
    )
    rows = list(events.values("occurred_at", "object_id", "data", "summary")[:CHANGES_CAP])
    names = dict(
        Project.objects.filter(pk__in={r["object_id"] for r in rows}).values_list("pk", "name")
    )
    items = []
    for r in rows:
        data = r["data"] or {}
        to_stage, from_stage = data.get("to_stage"), data.get("from_stage")
        if to_stage in Stage.values and from_stage in Stage.values:
            text = f"{Stage(from_stage).label} → {Stage(to_stage).label}"
        else:
            text = r["summary"]
        moment = timezone.localtime(r["occurred_at"])
        items.append(
            {
                "sort": moment.isoformat(),
                "when": moment.strftime("%m-%d %H:%M"),
                "kind": "signed" if to_stage == Stage.SIGNED else "stage",
                "kindLabel": _("Signed") if to_stage == Stage.SIGNED else _("Stage"),
                "project": names.get(r["object_id"], ""),
                "text": text,
                "url": reverse("projects:detail", args=[r["object_id"]]),
            }
        )
    for r in turned.order_by("-on", "-id").values(
        "on", "light", "before", "project_id", "project__name", "reasons"
    )[:CHANGES_CAP]:
        red = r["light"] == Light.RED
        reasons = r["reasons"] if isinstance(r["reasons"], list) else []
        items.append(
            {
                "sort": datetime.datetime.combine(r["on"], datetime.time.max).isoformat(),
                "when": r["on"].strftime("%m-%d"),
                "kind": "red" if red else "green",
                "kindLabel": _("Turned red") if red else _("Turned green"),
                "project": r["project__name"],
                "text": "；".join(_reason(x, r["project__name"]) for x in reasons[:2])
                if red and reasons
                else str(Light(r["before"]).label) + " → " + str(Light(r["light"]).label),
                "url": reverse("projects:detail", args=[r["project_id"]]),
            }
        )
    items.sort(key=lambda item: item["sort"], reverse=True)
    return {
        "since": since.isoformat(),
        "items": items[:CHANGES_CAP],
        "counts": [
            {"key": "signed", "label": _("Signed"), "value": counts["signed"]},
            {"key": "stage", "label": _("Stage moves"), "value": counts["moves"]},
            {"key": "red", "label": _("Turned red"), "value": light_counts["red"]},
            {"key": "green", "label": _("Turned green"), "value": light_counts["green"]},
        ],
    }
