"""This month's changes in the demo (issue 18 point 1): whatever day of the month the demo
is loaded, the bureau's home counts projects signed, moved to another stage and started
this month, and a red light lit this month — each a tile whose list shows those rows, the
moves recorded through the stage services (their events, evidence and the home's recent
events)."""

from __future__ import annotations

import datetime
import random
import re

import pytest
from django.urls import reverse
from django.utils import translation

from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.demo import city as C
from zhaoshang.demo import this_month
from zhaoshang.demo.plans import PlansMixin
from zhaoshang.monitoring.models import Signal
from zhaoshang.org.models import User
from zhaoshang.projects.choices import STAGE_EVIDENCE, STAGE_INDEX, ProjectKind, Stage
from zhaoshang.projects.models import Project, StageEvent

DAY = datetime.timedelta(days=1)
TILE = re.compile(r'class="zs-tile[^"]*" href="([^"]+)" data-count="(\d+)"')


class _Planner(PlansMixin):
    """The demo's own path drawing (``PlansMixin._path``), without a district."""

    def __init__(self, today: datetime.date):
        self.rng, self.today, self._exit_count = random.Random(2026), today, 0

    def _days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - DAY * self.rng.randint(low, high)


def _plans(today: datetime.date) -> list[C.Plan]:
    """The demo district's stage mix, each plan drawn as the demo draws it."""
    planner, plans = _Planner(today), []
    pool = [s for s, n in C.DEMO.stage_counts.items() for _ in range(n)]
    for n, stage in enumerate(pool):
        plan = C.Plan(f"项目{n}", ProjectKind.INVESTMENT, f"企业{n % 40}", None, "", "", "")
        path, plan.exit_variant, plan.stop_on = planner._path(stage)
        plan.events = planner._events(path, plan.exit_variant)
        plans.append(plan)
    return plans


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2026, 12, 1),  # a Tuesday, the 1st: all this early morning
        datetime.date(2027, 2, 1),  # a Monday, the 1st
        datetime.date(2026, 12, 6),  # early in a month: the case of the issue
        datetime.date(2027, 2, 28),
        datetime.date(2026, 12, 28),
    ],
)
def test_a_few_projects_move_this_month_whatever_the_day(today):
    plans = _plans(today)
    before = {id(p): [e.on for e in p.events] for p in plans}
    moved = this_month.bring_forward(plans, today, skip=["企业0"])
    first = today.replace(day=1)
    assert [p.stage for p in moved] == list(this_month.MOVES)
    for plan in moved:
        days = [e.on for e in plan.events]
        assert first <= days[-1] <= today, plan.name
        assert days[-1] < today or today == first  # nothing is dated after the present
        assert days == sorted(days)  # the path keeps its order
        old = before[id(plan)]
        # The stages before as drawn (the order of the others kept); a start is one more.
        assert days[: len(old) - 1] == old[:-1]
        assert len(days) == len(old) + (plan.stage == Stage.STARTED)
        assert plan.enterprise != "企业0"
    assert all(getattr(p, "this_month", False) for p in moved)
    untouched = [p for p in plans if p not in moved]
    assert all([e.on for e in p.events] == before[id(p)] for p in untouched)
    signed = [p for p in moved if p.dates()[Stage.SIGNED] >= first]
    started = [p for p in moved if p.dates().get(Stage.STARTED, first - DAY) >= first]
    assert len(signed) >= 2 and len(started) >= 1 and len(moved) >= 4


def test_the_days_of_the_month():
    assert this_month.month_days(datetime.date(2026, 12, 1), 3) == [datetime.date(2026, 12, 1)] * 3
    assert this_month.month_days(datetime.date(2026, 12, 2), 2) == [datetime.date(2026, 12, 1)] * 2
    days = this_month.month_days(datetime.date(2026, 12, 28), 5)
    assert days[0] == datetime.date(2026, 12, 1) and days[-1] == datetime.date(2026, 12, 27)


# -- the demo as loaded (on DEMO_NOW) --------------------------------------------------------


def _tiles(client) -> dict[str, int]:
    with translation.override("en"):
        html = client.get(reverse("home")).content.decode()
    return {url.replace("&amp;", "&"): int(n) for url, n in TILE.findall(html)}


def test_the_bureaus_home_shows_this_months_changes(today, client):
    client.force_login(User.objects.get(username="bureau"))
    tiles = _tiles(client)
    for key in ("changed=signed", "changed=moved", "changed=started"):
        (count,) = [n for url, n in tiles.items() if url.endswith(key)]
        assert count > 0, key
        assert client.get(reverse("projects:list") + "?" + key).context["count"] == count
    (red,) = [n for url, n in tiles.items() if "this_month=on" in url]
    assert red > 0
    month = (today.replace(day=1), today)
    projects = Project.objects.filter(district__code=C.DEMO_CODE)
    assert projects.filter(signed_on__range=month).count() >= 2
    assert projects.filter(started_on__range=month).count() >= 1
    reds = Signal.objects.filter(district__code=C.DEMO_CODE, light=Light.RED)
    assert reds.filter(since__range=month).exists()


def test_this_months_moves_went_through_the_stage_services(today):
    """Each move of this month has its evidence, its domain event (the home's recent
    events) and follows the project's earlier stages."""
    month = (today.replace(day=1), today)
    moves = StageEvent.objects.filter(
        project__district__code=C.DEMO_CODE, occurred_on__range=month, is_backward=False
    ).select_related("project")
    assert moves.count() >= 4
    for move in moves:
        needed = set(STAGE_EVIDENCE[move.to_stage])
        kept = set(move.project.documents.values_list("material_type__code", flat=True))
        assert needed <= kept, (move.project.name, needed - kept)
        assert move.evidence.exists() or not needed, move.project.name
        earlier = StageEvent.objects.filter(project=move.project, occurred_on__lt=month[0])
        assert all(STAGE_INDEX.get(e.to_stage, -1) < STAGE_INDEX[move.to_stage] for e in earlier), (
            move.project.name
        )
        assert DomainEvent.objects.filter(
            verb="project.stage_changed",
            object_id=move.project.pk,
            data__to_stage=move.to_stage,
        ).exists(), move.project.name
