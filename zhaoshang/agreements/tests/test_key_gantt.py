"""The key projects' Gantt (``agreements/key_gantt.py``): planned and actual spans against
hand-built milestones, their colours, the scope (another district's projects, general
projects never appear), the filters, bad filters and queries that do not grow with the
rows. Today is 2026-06-15."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from zhaoshang.agreements import key_gantt
from zhaoshang.agreements.models import Commitment, Milestone
from zhaoshang.core import charts, clock
from zhaoshang.projects.choices import Level
from zhaoshang.projects.models import Project

D = datetime.date
URL = "agreements:key_gantt"


def commitment(world, project, *milestones, title="供电接入服务承诺", tag="a"):
    """A commitment of ``project`` with milestones [(planned start, due, done or None)]."""
    c = Commitment.objects.create(
        district=project.district,
        project=project,
        department=getattr(world, f"dept_works_{tag}"),
        title=title,
        content="按期接入。",
        start_on=milestones[0][0],
        target_on=milestones[-1][1],
        created_by=getattr(world, "user_bureau" if tag == "a" else "user_bureau_b"),
    )
    for seq, (start, due, done) in enumerate(milestones, 1):
        Milestone.objects.create(
            commitment=c,
            seq=seq,
            name=f"节点{seq}",
            duration_workdays=5,
            planned_start_on=start,
            due_on=due,
            done_on=done,
            owner_department=c.department,
        )
    return c


def hand_built(world):
    """project1_a (major): kept, done late, running past due (missed), not started.
    project2_a made key: one milestone kept. District b's project1_b (major): one missed."""
    a = commitment(
        world,
        world.project1_a,
        (D(2026, 5, 4), D(2026, 5, 8), D(2026, 5, 7)),  # kept
        (D(2026, 5, 11), D(2026, 5, 22), D(2026, 5, 27)),  # done late
        (D(2026, 5, 25), D(2026, 6, 5), None),  # missed, running to today
        (D(2026, 6, 8), D(2026, 6, 30), None),  # no actual span yet
    )
    Project.objects.filter(pk=world.project2_a.pk).update(level=Level.KEY)
    b = commitment(world, world.project2_a, (D(2026, 6, 1), D(2026, 6, 30), None))
    other = commitment(world, world.project1_b, (D(2026, 5, 1), D(2026, 5, 5), None), tag="b")
    return a, b, other


def test_actual_spans_follow_the_milestones_as_done(world):
    a, _b, _other = hand_built(world)
    today = clock.today()
    milestones = list(Milestone.objects.filter(commitment=a).with_state(today).order_by("seq"))
    spans = key_gantt.actual_spans(milestones, today)
    assert [(s["start"], s["end"], s["state"]) for s in spans] == [
        (D(2026, 5, 4), D(2026, 5, 7), "done"),
        (D(2026, 5, 8), D(2026, 5, 27), "done_late"),
        (D(2026, 5, 28), D(2026, 6, 15), "missed"),
    ]
    colours = [key_gantt.colour(s) for s in spans]
    assert colours == [charts.GREEN, charts.RED, charts.RED]


def test_an_open_milestone_not_yet_due_is_grey(world):
    _a, b, _other = hand_built(world)
    today = clock.today()
    milestones = list(Milestone.objects.filter(commitment=b).with_state(today))
    (span,) = key_gantt.actual_spans(milestones, today)
    assert (span["start"], span["end"], span["state"]) == (D(2026, 6, 1), today, "open")
    assert key_gantt.colour(span) == charts.GREY


def test_a_running_milestone_due_soon_is_yellow_as_its_light(world):
    """Due tomorrow (within the district's yellow window for milestones), the running
    milestone's light is yellow on the commitments' pages: so is its bar."""
    c = commitment(world, world.project1_a, (D(2026, 6, 1), D(2026, 6, 16), None))
    today = clock.today()
    milestones = list(Milestone.objects.filter(commitment=c).with_state(today))
    assert milestones[0].light == "yellow"
    (span,) = key_gantt.actual_spans(milestones, today)
    assert span["state"] == "open" and key_gantt.colour(span) == charts.YELLOW
    rows = key_gantt.key_commitments(world.user_bureau, today)
    option = key_gantt.gantt_chart(rows, today).option
    assert charts.YELLOW in [
        item["itemStyle"]["color"]
        for s in option["series"]
        if s.get("stack") == "actual"
        for item in s["data"]
        if isinstance(item, dict)
    ]


def _option(response):
    html = response.content.decode()
    start = html.index(">", html.index('id="chart-key-gantt-option"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


def _lane(option, lane):
    """{row: [(gap, width, colour)]} of a lane's stacked bars."""
    rows = option["yAxis"]["data"]
    out = {name: [] for name in rows}
    series = [s for s in option["series"] if s.get("stack") == lane and s["data"]]
    for gap, bar in zip(series[::2], series[1::2], strict=True):
        for name, g, b in zip(rows, gap["data"], bar["data"], strict=True):
            if b is not None:
                out[name].append((g, b["value"], b["itemStyle"]["color"]))
    return out


def test_the_chart_draws_planned_and_actual_bars(world, client_for):
    hand_built(world)
    response = client_for("bureau").get(reverse(URL))
    assert response.status_code == 200
    assert response.context["chart"].png_name == (
        f"{world.district_a.name} 2026-06-15 {response.context['chart'].title}"
    )
    option = _option(response)
    label = f"{world.project1_a.name} · 供电接入服务承诺"
    assert label in option["yAxis"]["data"]
    first = datetime.date.fromisoformat(option["xAxis"][1]["min"])
    planned = _lane(option, "planned")[label]
    # 5 days, then 12 days, 12 days, 23 days (both ends counted), laid end to end.
    assert [p[1] for p in planned] == [5, 12, 12, 23]
    assert planned[0][0] == (D(2026, 5, 4) - first).days
    assert {p[2] for p in planned} == {charts.GANTT_PLANNED}
    actual = _lane(option, "actual")[label]
    assert [(a[1], a[2]) for a in actual] == [
        (4, charts.GREEN),
        (20, charts.RED),
        (19, charts.RED),
    ]
    url = reverse("projects:detail", args=[world.project1_a.pk])
    bars = [s for s in option["series"] if s.get("stack") == "actual" and s["data"]][1]
    assert any(item and item["url"] == url for item in bars["data"])
    # today's line
    marked = [s for s in option["series"] if "markLine" in s]
    assert marked[0]["markLine"]["data"][0]["xAxis"] == (D(2026, 6, 15) - first).days + 0.5


def test_other_districts_and_general_projects_never_appear(world, client_for):
    hand_built(world)
    commitment(world, world.project2_a, (D(2026, 5, 1), D(2026, 5, 5), None), title="一般承诺")
    Project.objects.filter(pk=world.project2_a.pk).update(level=Level.GENERAL)
    names = _option(client_for("bureau").get(reverse(URL)))["yAxis"]["data"]
    assert names == [f"{world.project1_a.name} · 供电接入服务承诺"]
    html = client_for("bureau").get(reverse(URL)).content.decode()
    assert reverse("projects:detail", args=[world.project1_b.pk]) not in html
    other = _option(client_for("bureau_b").get(reverse(URL)))["yAxis"]["data"]
    assert other == [f"{world.project1_b.name} · 供电接入服务承诺"]
    city = _option(client_for("city").get(reverse(URL)))["yAxis"]["data"]
    assert sorted(city) == sorted(
        f"{p.district.name} · {p.name} · 供电接入服务承诺"
        for p in (world.project1_a, world.project1_b)
    )


def test_the_filters(world, client_for):
    hand_built(world)
    client = client_for("bureau")
    late = _option(client.get(reverse(URL), {"late": "on"}))["yAxis"]["data"]
    assert late == [f"{world.project1_a.name} · 供电接入服务承诺"]
    group = _option(client.get(reverse(URL), {"working_group": world.group_a.pk}))
    assert group["yAxis"]["data"] == late  # project2_a has no working group
    industry = client.get(reverse(URL), {"industry": world.industry2_a.pk})
    assert 'data-testid="gantt-empty"' in industry.content.decode()
    red = _option(client.get(reverse(URL), {"light": "red"}))["yAxis"]["data"]
    assert red == late


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"working_group": "abc"}, "工作组"),
        ({"industry": "99999"}, "产业"),
        ({"light": "purple"}, "亮灯"),
    ],
)
def test_a_bad_filter_is_400_naming_the_field(world, client_for, params, field):
    with translation.override("zh-hans"):
        response = client_for("bureau").get(reverse(URL), params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    html = response.content.decode()
    errors = html[html.index('data-testid="errors"') :].split("</ul>")[0]
    assert field in errors


def test_another_districts_working_group_is_refused(world, client_for):
    response = client_for("bureau").get(reverse(URL), {"working_group": world.group_b.pk})
    assert response.status_code == 400


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(URL))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_rows(world, client_for):
    client = client_for("bureau")
    hand_built(world)
    small = _queries(client)
    for i in range(20):
        commitment(
            world,
            world.project1_a,
            (D(2026, 4, 1), D(2026, 4, 30), D(2026, 5, 2)),
            (D(2026, 5, 1), D(2026, 6, 30), None),
            title=f"承诺{i}",
        )
    assert _queries(client) == small
    print(f"queries agreements:key_gantt: {small}")
    assert small <= 14


def test_the_commitments_tabs_link_the_gantt(world, client_for):
    html = client_for("bureau").get(reverse("agreements:commitments")).content.decode()
    assert reverse(URL) in html
