"""The demo feeds the departments' ranking charts (``reports/rankings.py``) and the key
projects' Gantt (``agreements/key_gantt.py``): this year, several departments of the demo
district finished cases, on time and late, and were rated, not all equally; its key
projects have commitments with kept, late and running milestones; the pages draw them for
the demo accounts."""

from __future__ import annotations

import datetime
import json

from django.test import Client
from django.urls import reverse

from zhaoshang.agreements.choices import MilestoneState
from zhaoshang.agreements.key_gantt import key_commitments
from zhaoshang.demo.builder import DEMO_CODE
from zhaoshang.org.models import District, User
from zhaoshang.ratings.services import satisfaction
from zhaoshang.reports import rankings


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _option(html, key):
    start = html.index(">", html.index(f'id="chart-{key}-option"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_the_departments_ranked_have_figures_to_rank(today):
    district = District.objects.get(code=DEMO_CODE)
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    timely = rankings.on_time(district.pk, start, end)
    assert len(timely) >= 5
    assert sum(r.late for r in timely) >= 1  # somebody was late
    assert len({r.rate for r in timely}) >= 2  # the ranking tells them apart
    rated = satisfaction(district.pk, start, end)
    assert len(rated) >= 5
    assert len({r.rate for r in rated}) >= 2
    html = _client("supervisor").get(reverse("reports:rankings")).content.decode()
    assert len(_option(html, "on-time")["yAxis"]["data"]) == len(timely)
    assert len(_option(html, "satisfaction")["yAxis"]["data"]) == len(rated)


def test_the_key_projects_gantt_has_late_kept_and_running_milestones(today):
    bureau = User.objects.get(username="bureau")
    rows = key_commitments(bureau, today)
    assert len(rows) >= 10
    states = {m.state for row in rows for m in row.milestones}
    assert {MilestoneState.DONE, MilestoneState.OPEN} <= states
    assert states & {MilestoneState.DONE_LATE, MilestoneState.MISSED}
    html = _client("bureau").get(reverse("agreements:key_gantt")).content.decode()
    assert len(_option(html, "key-gantt")["yAxis"]["data"]) == len(rows)
    late = _client("bureau").get(reverse("agreements:key_gantt"), {"late": "on"})
    assert 'id="chart-key-gantt-option"' in late.content.decode()
