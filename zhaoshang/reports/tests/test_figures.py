"""The figures of the three reports on hand-built worlds (today is 2026-06-15)."""

from __future__ import annotations

import pytest

from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.services import record_lights
from zhaoshang.projects.choices import Stage
from zhaoshang.reports import figures
from zhaoshang.reports.choices import Kind, Period, default_period, parse_period
from zhaoshang.reports.tests.factories import (
    add_case,
    add_complaint,
    add_entry,
    add_funds,
    add_milestone,
    add_monthly_report,
    add_project,
    add_signal,
    day,
)

pytestmark = pytest.mark.usefixtures("english")


def section(data, heading):
    return next(s for s in data["sections"] if s["heading"] == heading)


def summary(data):
    return {label: value for label, value, _kind in data["summary"]}


@pytest.fixture
def month_world(world):
    """District a: project1_a (signed, park 1, 50,000) and three projects of ours — two
    started in park 1 (one red, one yellow), one in production in park 2 — plus an exited
    and a lead project (not counted) and a project of district b (not counted)."""
    p1 = add_project(world, investment="1000")
    p2 = add_project(world, investment="2000", industry=world.industry2_a)
    p3 = add_project(world, park=world.park2_a, stage=Stage.PRODUCTION, investment="3000")
    add_project(world, stage=Stage.EXITED, investment="9999")
    add_project(world, "b", investment="7777")
    add_funds(p1, "300", "2026-05-10")
    add_funds(p1, "200", "2026-06-02")  # after the month: not counted for May
    add_funds(p3, "1000", "2026-01-10")
    add_monthly_report(p1, "2026-05-01", "120", "620", "主体结构封顶")
    add_monthly_report(p2, "2026-04-01", "50", "400", "桩基施工")  # April only
    red = add_signal(p1, "red", "规划许可超期", world.dept_works_a)
    add_signal(p1, "yellow", "节点临近")
    add_signal(p2, "yellow", "资金到位滞后")
    record_lights(day("2026-05-31"))  # the daily scan of May's last day kept these lights
    # Since then p1's red item was done and p3 turned red: today's lights differ.
    red.delete()
    add_signal(p3, "red", "验收超期", world.dept_works_a)
    return p1, p2, p3


def test_periods():
    assert Period(Kind.MONTHLY, "2026-10").due_on == day("2026-11-06")
    q = Period(Kind.QUARTERLY, "2026-Q3")
    assert (q.start, q.end, q.label_zh) == (day("2026-07-01"), day("2026-09-30"), "2026年第三季度")
    assert Period(Kind.ANNUAL, "2025").label_zh == "2025年度"
    for kind, bad in [(Kind.MONTHLY, "2026-13"), (Kind.QUARTERLY, "2026-Q5"), (Kind.ANNUAL, "x")]:
        assert parse_period(kind, bad) is None
    assert default_period(Kind.QUARTERLY, day("2026-02-01")) == "2025-Q4"
    assert default_period(Kind.MONTHLY, day("2026-01-06")) == "2025-12"


def test_monthly_summary_counts_active_projects_grouped_with_subtotals(world, month_world):
    p1, p2, p3 = month_world
    data = figures.build(Kind.MONTHLY, Period(Kind.MONTHLY, "2026-05"), world.district_a)
    s = summary(data)
    # project1_a (signed) + our three; not the exited, the lead project2_a or district b.
    assert s["Active projects"] == 4
    assert s["Total investment (10k yuan)"] == 56000.0
    assert s["Funds in place (10k yuan)"] == 1300.0
    assert s["Investment this month (10k yuan)"] == 120.0
    assert (s["Red-light projects"], s["Yellow-light projects"], s["Green-light projects"]) == (
        1,
        1,
        2,
    )
    parks = {row[0]: row for row in section(data, "By park")["rows"]}
    assert parks["装备制造产业园"][1:] == [3, 53000.0, 300.0, 120.0, 1, 1]
    assert parks["食品饮料产业园"][1:] == [1, 3000.0, 1000.0, 0.0, 0, 0]
    assert section(data, "By park")["total"][1] == 4
    industries = {row[0]: row[1] for row in section(data, "By industry")["rows"]}
    assert industries == {"装备制造": 3, "新材料": 1}
    stages = {row[0]: row[1] for row in section(data, "By stage")["rows"]}
    assert stages == {"Signed": 1, "Started": 2, "In production": 1}
    detail = {row[0]: row for row in section(data, "Projects")["rows"]}
    assert set(detail) == {world.project1_a.code, p1.code, p2.code, p3.code}
    assert detail[p1.code][6] == "red" and detail[p2.code][6] == "yellow"
    assert detail[p3.code][6] == "green"
    assert detail[p1.code][8:] == [300.0, 120.0, 620.0, "主体结构封顶", ""]  # not corrected
    # p2 reported in April only: cumulative carried, nothing this month.
    assert detail[p2.code][9:] == [0.0, 400.0, "", ""]


def test_a_park_committee_sees_its_parks_projects(world, month_world):
    from zhaoshang.reports import services

    period = Period(Kind.MONTHLY, "2026-05")
    data = services.live_figures(world.user_park, Kind.MONTHLY, period, world.district_a)
    assert summary(data)["Active projects"] == 3  # park 1 only


@pytest.fixture
def quarter_world(world):
    """2026 Q1 in district a: 建设局 did 3 cases (2 on time), kept 1 of 2 milestones and had
    2 complaints (1 substantiated, 1 answered late); 国土局 did 1 case on time and kept its
    milestone. Things outside the quarter or district do not count."""
    works, land = world.dept_works_a, world.dept_land_a
    add_case(world, works, done_on="2026-02-01", due_on="2026-02-10")
    add_case(world, works, done_on="2026-03-01", due_on="2026-03-01")
    add_case(world, works, done_on="2026-03-20", due_on="2026-03-10")  # late
    add_case(world, works, done_on="2026-04-02", due_on="2026-04-10")  # Q2
    add_case(world, works, done_on=None, due_on="2026-03-10")  # not done
    add_case(world, land, done_on="2026-01-20", due_on="2026-01-30")
    add_case(world, world.dept_works_b, done_on="2026-02-01", due_on="2026-01-10", tag="b")
    add_milestone(world, works, due_on="2026-02-15", done_on="2026-02-14")
    add_milestone(world, works, due_on="2026-03-15", done_on=None)
    add_milestone(world, land, due_on="2026-03-01", done_on="2026-03-01")
    add_complaint(
        world, works, received_on="2026-02-03", answer_by="2026-02-20", answered_on="2026-02-25"
    )
    add_complaint(
        world,
        works,
        received_on="2026-03-03",
        answer_by="2026-03-20",
        answered_on="2026-03-18",
        outcome="substantiated",
    )
    add_signal(world.project1_a, "red", "施工许可超期", works, "2026-03-20")
    add_signal(world.project1_a, "red", "用地节点超期", land)
    record_lights(day("2026-03-31"))  # the quarter's last day
    # Since then: project1_a's items were done, another project turned red.
    Signal.objects.filter(project=world.project1_a).delete()
    add_signal(add_project(world), "red", "验收超期", works)


def test_quarterly_bulletin_ranks_departments(world, quarter_world):
    data = figures.build(Kind.QUARTERLY, Period(Kind.QUARTERLY, "2026-Q1"), world.district_a)
    ranking = {row[1]: row for row in section(data, "Departments ranked")["rows"]}
    assert set(ranking) == {"区建设局", "区国土局"}
    works = ranking["区建设局"]
    # rank, dept, done, on time, timeliness, due, kept, kept rate, complaints, subst., late
    assert works[2:11] == [3, 2, 0.6667, 2, 1, 0.5, 2, 1, 1]
    # 40 × 2/3 + 40 × 1/2 + 20 × (1 − 2/4) = 26.67 + 20 + 10
    assert works[11] == 56.7
    land = ranking["区国土局"]
    assert land[2:11] == [1, 1, 1.0, 1, 1, 1.0, 0, 0, 0]
    assert land[11] == 100.0
    assert (land[0], works[0]) == (1, 2)
    assert "40 × timeliness" in data["formula"]


def test_quarterly_bulletin_names_red_projects_and_why(world, quarter_world):
    data = figures.build(Kind.QUARTERLY, Period(Kind.QUARTERLY, "2026-Q1"), world.district_a)
    rows = section(data, "Red-light projects")["rows"]
    assert len(rows) == 1
    code, name, park, n, why = rows[0]
    assert (code, n) == (world.project1_a.code, 2)
    assert "施工许可超期（区建设局） due 2026-03-20" in why and "用地节点超期（区国土局）" in why


def test_rank_ties_share_a_rank():
    rows = [{"v": 5}, {"v": 9}, {"v": 5}, {"v": 1}]
    figures.rank_rows(rows, key=lambda r: r["v"])
    assert [(r["v"], r["rank"]) for r in rows] == [(9, 1), (5, 2), (5, 2), (1, 4)]


def test_year_end_assessment_uses_the_standings_and_breaks_entries_down(world):
    works, land = world.dept_works_a, world.dept_land_a
    add_entry(world, works, "-2", rule_code="overdue_case")
    add_entry(world, works, "-2", rule_code="overdue_case")
    add_entry(world, works, "-1", rule_code="missed_milestone")
    add_entry(world, land, "-1")  # by hand
    add_entry(world, land, "-5", year=2026)  # another year
    data = figures.build(Kind.ANNUAL, Period(Kind.ANNUAL, "2025"), world.district_a)
    ranks = {row[1]: row for row in section(data, "Scores and ranks")["rows"]}
    assert ranks["区建设局"][2:] == [100.0, -5.0, 0.0, 95.0, 3]
    assert ranks["区国土局"][5] == 99.0
    assert ranks["区建设局"][0] > ranks["区国土局"][0]
    breakdown = list(section(data, "Entries by department and rule")["rows"])
    assert ["区建设局", "Approval case overdue", 2, -4.0] in breakdown
    assert ["区建设局", "Reverse-schedule milestone missed", 1, -1.0] in breakdown
    assert ["区国土局", "Hand entry by the supervision office", 1, -1.0] in breakdown
