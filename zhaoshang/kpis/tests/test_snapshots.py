"""KPI snapshots (``kpis.snapshots``, issue 19): a served read always equals the live
computation — after each kind of change in the world, made through the services as people
make it — the daily scan writes one row per district, and the pages read the rows instead
of computing (fewer queries)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from zhaoshang.agreements import services as agreements
from zhaoshang.agreements.tests.conftest import SCHEDULE, header, standard_terms
from zhaoshang.approvals import services as approvals
from zhaoshang.core import clock, roles
from zhaoshang.core.models import DomainEvent
from zhaoshang.kpis import charts, services, snapshots
from zhaoshang.kpis.models import KpiSnapshot
from zhaoshang.kpis.services import Period
from zhaoshang.kpis.tests.factories import D, add_case, make_project
from zhaoshang.org.models import District
from zhaoshang.projects import services as projects
from zhaoshang.projects.choices import STAGE_EVIDENCE, FundsOrigin, FundsUse, Stage
from zhaoshang.projects.models import Project

TODAY = D(2026, 6, 15)
READERS = ("user_bureau", "user_bureau_b", "user_city")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def served(user, year=2026, since=None, **filters):
    projects = services.filter_projects(Project.objects.visible_to(user), **filters)
    return snapshots.compute(user, projects, filters, year, since)


def live(user, year=2026, since=None, **filters):
    projects = services.filter_projects(Project.objects.visible_to(user), **filters)
    return services.compute(projects, year, since=since)


def trend_of(user, served_=True):
    projects = Project.objects.visible_to(user)
    args = {"year": 2026, "since": None}
    if served_:
        return charts.kpi_trend(projects, args, user, {})
    return charts.kpi_trend(projects, args)


def assert_agrees(world, trends: bool = False) -> dict:
    """Every reader's served figures (this year, a term and, with ``trends``, the month-end
    trend) equal the live ones; returns the live figures of each reader."""
    out = {}
    for name in READERS:
        user = getattr(world, name)
        fresh = live(user)
        assert served(user) == fresh, name
        assert served(user, since=2025) == live(user, since=2025), name
        if trends:
            assert trend_of(user) == trend_of(user, served_=False), name
        out[name] = fresh
    # The districts side by side (the comparison and its export).
    city = world.user_city
    by = services.compute_by(Project.objects.visible_to(city), 2026, "district")
    period = Period.of(2026)
    assert snapshots.by_district(city, {}, 2026) == {
        pk: by.get(pk) or services.Kpis(period=period)
        for pk in District.objects.values_list("pk", flat=True)
    }
    return out


def test_the_daily_scan_writes_one_row_per_district(world):
    assert settings.DAILY_SCAN_STEPS[-1] == "zhaoshang.kpis.snapshots.scan"
    make_project(world, signed_on=D(2026, 2, 1), registered_on=D(2026, 3, 1))
    assert snapshots.scan(TODAY).startswith(f"written {District.objects.count()}")
    rows = KpiSnapshot.objects.filter(year=2026, first_year=2026, cutoff=TODAY)
    assert rows.count() == District.objects.count()
    assert sorted(rows.values_list("district_id", flat=True)) == sorted(
        District.objects.values_list("pk", flat=True)
    )
    row = rows.get(district=world.district_a)
    kpis = live(world.user_bureau)
    assert (row.signed_count, row.registered) == (kpis.signed_count, kpis.registered)
    # The next morning: yesterday's rows go (the others are computed again when asked),
    # today's are written.
    snapshots.scan(TODAY + datetime.timedelta(days=1))
    assert not KpiSnapshot.objects.filter(cutoff=TODAY).exists()
    assert KpiSnapshot.objects.filter(cutoff=TODAY + datetime.timedelta(days=1)).count() == (
        District.objects.count()
    )


def test_a_fresh_row_answers_without_computing(world):
    snapshots.scan(TODAY)
    user = world.user_bureau
    roles.roles_of(user)  # the user's roles, read once per request anyway
    with CaptureQueriesContext(connection) as ctx:
        kpis = served(user)
    assert kpis == live(user)
    assert len(ctx.captured_queries) == 1  # the row, checked against the events


def test_the_snapshot_equals_the_live_figures_after_every_kind_of_change(world):
    a = world.project1_a  # signed 2026-03-02
    snapshots.scan(TODAY)
    before = assert_agrees(world, trends=True)

    # A stage change.
    projects.change_stage(
        world.user_bureau,
        a,
        Stage.REGISTERED,
        D(2026, 6, 10),
        evidence_files={c: pdf(f"{c}.pdf") for c in STAGE_EVIDENCE[Stage.REGISTERED]},
    )
    after = assert_agrees(world)
    assert after["user_bureau"].registered == before["user_bureau"].registered + 1
    assert after["user_bureau_b"] == before["user_bureau_b"]

    # An agreement signed (its terms become obligations).
    agreements.save_agreement(
        world.user_bureau,
        a,
        fields=header(a),
        terms=standard_terms(),
        schedule=SCHEDULE,
    )
    after = assert_agrees(world)
    assert after["user_bureau"].contracted_investment > 0

    # Funds in place recorded, then corrected.
    a.refresh_from_db()
    projects.record_funds(
        world.user_bureau,
        a,
        {
            "received_on": D(2026, 6, 12),
            "amount": Decimal("300"),
            "origin": FundsOrigin.IN_CITY,
            "use": FundsUse.FIXED_ASSETS,
        },
    )
    after = assert_agrees(world)
    assert after["user_bureau"].funds_in_place == Decimal("300")

    # A monthly report (the investment obligations are met from them).
    projects.submit_monthly_report(
        world.user_enterprise,
        a,
        {
            "month": D(2026, 5, 1),
            "investment_this_month": Decimal("10"),
            "investment_cumulative": Decimal("10"),
            "image_progress": "平整场地",
        },
    )
    assert_agrees(world)

    # The investment revised in the registry.
    a.refresh_from_db()
    projects.update_project(
        world.user_bureau, a, {"total_investment": Decimal("60000")}, expected_version=a.version
    )
    after = assert_agrees(world)
    assert after["user_city"].signed_investment != before["user_city"].signed_investment

    # An approval case done (on time).
    case = add_case(world, a, world.item_land_a, due_on=D(2026, 6, 30))
    approvals.complete_case(world.user_admin, case, TODAY)
    after = assert_agrees(world, trends=True)
    assert after["user_bureau"].cases_done == before["user_bureau"].cases_done + 1

    # A write behind the services' back (no domain event) is not seen …
    Project.objects.filter(pk=world.project1_b.pk).update(signed_on=None, stage=Stage.LEAD)
    assert served(world.user_bureau_b) != live(world.user_bureau_b)
    snapshots.scan(TODAY)  # … by a second scan on the day, whose rows are still fresh …
    assert served(world.user_bureau_b) != live(world.user_bureau_b)
    # … but by the next morning's, which writes every district anew.
    with time_machine.travel(datetime.datetime(2026, 6, 16, 6, 0, tzinfo=datetime.UTC)):
        assert snapshots.scan(clock.today()).startswith(f"written {District.objects.count()}")
        assert_agrees(world)


def test_a_second_scan_on_the_day_keeps_the_fresh_rows(world, django_assert_num_queries):
    """A second scan on the day computes no district whose row of today still answers
    (``fresh``); a district whose records moved since (a domain event), or whose row is older
    than ``MAX_AGE``, is computed again — and the figures served equal the live ones."""

    def marks_of_today():
        rows = KpiSnapshot.objects.filter(first_year=2026, year=2026, cutoff=TODAY)
        return dict(rows.values_list("district_id", "event_mark"))

    make_project(world, signed_on=D(2026, 2, 1), registered_on=D(2026, 3, 1))
    districts = District.objects.count()
    assert snapshots.scan(TODAY) == f"written {districts}, fresh 0, removed 0"
    marks = marks_of_today()
    # The districts, their fresh rows, the rows removed: nothing computed, nothing written.
    with django_assert_num_queries(3):
        assert snapshots.scan(TODAY) == f"written 0, fresh {districts}, removed 0"
    assert marks_of_today() == marks
    # A change in district A through the services: its row alone is computed again.
    before = live(world.user_bureau)
    projects.change_stage(
        world.user_bureau,
        world.project1_a,
        Stage.REGISTERED,
        D(2026, 6, 10),
        evidence_files={c: pdf(f"{c}.pdf") for c in STAGE_EVIDENCE[Stage.REGISTERED]},
    )
    assert snapshots.scan(TODAY) == f"written 1, fresh {districts - 1}, removed 0"
    assert live(world.user_bureau).registered == before.registered + 1
    assert_agrees(world)
    moved = marks_of_today()
    assert moved[world.district_a.pk] > marks[world.district_a.pk]
    assert moved[world.district_b.pk] == marks[world.district_b.pk]
    # Rows older than their age: every district computed again.
    later = clock.now() + snapshots.MAX_AGE + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):  # (the term's rows read above removed)
        assert snapshots.scan(TODAY).startswith(f"written {districts}, fresh 0, removed ")


def test_the_next_day_is_not_answered_by_yesterday_s_row(world):
    snapshots.scan(TODAY)
    with time_machine.travel(datetime.datetime(2026, 6, 16, 10, 0, tzinfo=datetime.UTC)):
        kpis = served(world.user_bureau)
        assert kpis.period.cutoff == D(2026, 6, 16)
        assert kpis == live(world.user_bureau)
    assert KpiSnapshot.objects.filter(cutoff=D(2026, 6, 16)).exists()


def test_bulk_events_make_the_rows_stale(world):
    """Events written in bulk (``log_events``: obligations added, the daily scan's) are read
    like the others: the freshness check reads the events, it waits for no signal."""
    from zhaoshang.core.audit import build_event, log_events

    snapshots.scan(TODAY)
    assert snapshots.read([world.district_a.pk], Period.of(2026), [TODAY])
    log_events([build_event(None, "project.updated", world.project1_a)])
    assert not snapshots.read([world.district_a.pk], Period.of(2026), [TODAY])
    assert snapshots.read([world.district_b.pk], Period.of(2026), [TODAY])  # its own rows only


def test_an_event_elsewhere_leaves_the_rows_fresh(world):
    snapshots.scan(TODAY)
    DomainEvent.objects.create(
        district=world.district_a,
        verb="annual_target.created",
        content_type_id=_content_type("kpis", "annualtarget"),
        object_id=1,
    )
    assert snapshots.read([world.district_a.pk], Period.of(2026), [TODAY])


def _content_type(app, model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_by_natural_key(app, model).pk


@pytest.mark.parametrize(
    "filters", [{"park": "park1_a"}, {"industry": "industry_a"}, {"level": "major"}]
)
def test_narrower_filters_are_computed_live(world, filters):
    values = {k: getattr(world, v, v) for k, v in filters.items()}
    user = world.user_bureau
    assert snapshots.districts_served(user, values) is None
    assert served(user, **values) == live(user, **values)
    assert not KpiSnapshot.objects.exists()


def test_who_is_served_from_the_snapshots(world):
    assert snapshots.districts_served(world.user_bureau, {}) == [world.district_a.pk]
    assert snapshots.districts_served(world.user_city, {"district": world.district_b}) == [
        world.district_b.pk
    ]
    assert set(snapshots.districts_served(world.user_city, {})) == set(
        District.objects.values_list("pk", flat=True)
    )
    assert snapshots.districts_served(world.user_park, {}) is None  # a park committee's parks
    assert snapshots.districts_served(world.user_enterprise, {}) is None


# Read from the rows: the session, the user with its roles, the rows (and the city's
# districts), then what the page draws besides (satisfaction, the filters' choices, the unread
# count). Computed live they were 15, 8 and 64 statements.
PAGES = [(reverse("kpis:index"), 9), ("/api/v1/kpis/", 4), (reverse("kpis:trends"), 4)]


@pytest.mark.parametrize(("url", "most"), PAGES)
@pytest.mark.parametrize("who", ["bureau", "city"])
def test_the_pages_read_the_rows(world, client_for, django_assert_max_num_queries, url, most, who):
    client = client_for(who)
    client.get(url)  # computes and stores the missing rows
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200


def test_a_row_older_than_its_max_age_is_computed_again(world):
    """A row answers for ``MAX_AGE`` (an event committed late, below the row's mark, is seen
    within that time), then the next read computes and stores the district's figures again."""
    snapshots.scan(TODAY)
    period, district = Period.of(2026), world.district_a.pk
    assert snapshots.read([district], period, [TODAY])
    later = clock.now() + snapshots.MAX_AGE + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert not snapshots.read([district], period, [TODAY])
        assert served(world.user_bureau) == live(world.user_bureau)
        assert snapshots.read([district], period, [TODAY])  # stored again, fresh
