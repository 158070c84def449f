"""``/api/v1/approval-items/`` and ``/api/v1/approval-cases/`` (SPEC §6, §19): the same
scoping as the pages, every change through the services, errors as the API promises
(400 keyed by field, 403/404 outside the caller's rights or scope, 409 for a stale version).

Expectations are computed from the world's rules (whose district, which park, which
department holds a case), generated over every user — not hand-picked."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from zhaoshang.api.tests.world_api import USERS, expected_visible, role_of
from zhaoshang.approvals import services
from zhaoshang.approvals.catalogue import seed_catalogue
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.core.roles import Role
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.models import MaterialType
from zhaoshang.workdays import services as workdays

CASES = "/api/v1/approval-cases/"
ITEMS = "/api/v1/approval-items/"
WORLD_CASES = ("case_a", "case_out_a", "case_b")


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def case_url(case, action: str | None = None) -> str:
    return f"{CASES}{case.pk}/" + (f"{action}/" if action else "")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_for(client_for):
    """api_for("bureau") → a session client of that world user sending JSON (in English)."""

    class JsonClient:
        def __init__(self, client):
            self.client = client

        def get(self, url, data=None):
            return self.client.get(url, data, HTTP_ACCEPT_LANGUAGE="en")

        def __getattr__(self, method):  # post, put, patch, delete
            def send(url, data=None):
                return getattr(self.client, method)(
                    url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
                )

            return send

    return lambda username: JsonClient(client_for(username))


def visible_cases(world, user) -> set[int] | None:
    projects = expected_visible(world, user, "projects")
    if projects is None:
        return None
    cases = [getattr(world, name) for name in WORLD_CASES]
    return {c.pk for c in cases if c.project_id in projects}


def handles(world, user, case) -> bool:
    """The world's rule: admins of the district, and department handlers of the holder."""
    if user.district_id != case.district_id:
        return False
    role = role_of(user)
    return role == Role.ADMIN or (
        role == Role.DEPARTMENT and user.department_id == case.department_id
    )


# ---------------------------------------------------------------------------------------
# Scoping


@pytest.mark.parametrize("username", USERS)
def test_case_list_and_detail_follow_the_project_scope(world, api_for, username):
    user = getattr(world, f"user_{username}")
    expected = visible_cases(world, user)
    api = api_for(username)
    response = api.get(CASES, {"page_size": 500})
    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == expected
    for name in WORLD_CASES:
        case = getattr(world, name)
        assert api.get(case_url(case)).status_code == (200 if case.pk in expected else 404)


@pytest.mark.parametrize("username", USERS)
def test_item_list_is_the_district_catalogue(world, api_for, username):
    user = getattr(world, f"user_{username}")
    response = api_for(username).get(ITEMS, {"page_size": 500})
    if role_of(user) == Role.ENTERPRISE:
        assert response.status_code == 403
        return
    districts = {row["district"] for row in response.json()["results"]}
    expected = (
        {world.district_a.pk, world.district_b.pk}
        if role_of(user) == Role.CITY
        else {user.district_id}
    )
    assert districts == expected
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == set(
        ApprovalItem.objects.filter(district__in=expected).values_list("pk", flat=True)
    )


def test_anonymous_gets_401(client):
    assert client.get(CASES).status_code == 401
    assert client.get(ITEMS).status_code == 401


# ---------------------------------------------------------------------------------------
# Fields


def test_case_fields_of_spec_19(world, api_for):
    case = world.case_a
    services.mark_materials_complete(world.user_department, case, day("2026-06-15"))
    body = api_for("bureau").get(case_url(case)).json()
    for field in (
        "project",
        "item",
        "status",
        "materials_complete_on",
        "due_on",
        "due_is_provisional",
        "done_on",
    ):
        assert field in body
    assert body["project"] == world.project1_a.pk and body["item"] == world.item_works_a.pk
    assert body["status"] == "pending" and body["materials_complete_on"] == "2026-06-15"
    assert (
        body["due_on"] == "2026-06-18"
        and body["due_is_provisional"] is False
        and body["done_on"] is None
    )
    assert body["days_left"] == 3 and body["light"] == "green"
    assert body["department"] == world.dept_works_a.pk and body["version"] == case.version + 1


def test_item_fields_of_spec_19(world, api_for):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    body = api_for("department").get(f"{ITEMS}{items['SZ-01'].pk}/").json()
    assert body["name"] == "供电接入" and body["department"] == items["SZ-01"].department_id
    assert body["time_limit"] == 15 and body["time_limit_unit"] == "natural_day"
    assert body["prerequisites"] == [items["GC-01"].pk]
    assert body["code"] == "SZ-01" and body["level"] == "district" and body["phase"] == "utilities"
    assert body["special_time_limit"] == 10 and body["materials"] == ["planning_permit_works"]


def test_days_left_in_sql_matches_the_calendar(world, api_for):
    """The list's days_left (SQL) equals workdays.days_left for due dates around holidays."""
    project = world.project1_a
    dues = [
        "2026-06-10",
        "2026-06-12",
        "2026-06-15",
        "2026-06-18",
        "2026-06-22",
        "2026-10-09",
        "2027-01-04",
    ]
    made = []
    for i, due in enumerate(dues):
        item = ApprovalItem.objects.create(
            district=world.district_a,
            code=f"D-{i}",
            name=f"事项{i}",
            department=world.dept_works_a,
            phase="construction",
        )
        made.append(
            ApprovalCase.objects.create(
                district=world.district_a, project=project, item=item, department=item.department,
                status=CaseStatus.ACCEPTED, registered_on=day("2026-06-01"), registered_by=world.user_admin,
                materials_complete_on=day("2026-06-01"), time_limit=3, time_limit_unit="workday", due_on=day(due),
            )
        )  # fmt: skip
    rows = {
        r["id"]: r for r in api_for("bureau").get(CASES, {"project": project.pk}).json()["results"]
    }
    today = day("2026-06-15")
    for case in made:
        assert rows[case.pk]["days_left"] == workdays.days_left(case.due_on, today), case.due_on
    assert rows[made[0].pk]["light"] == "red" and rows[made[2].pk]["light"] == "yellow"


# ---------------------------------------------------------------------------------------
# Registering (create)


@pytest.mark.parametrize("username", USERS)
def test_register_a_case(world, api_for, username):
    user = getattr(world, f"user_{username}")
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    payload = {"project": world.project2_a.pk, "item": items["XM-01"].pk}
    response = api_for(username).post(CASES, payload)
    role = role_of(user)
    created = ApprovalCase.objects.filter(project=world.project2_a, item=items["XM-01"])
    if (
        role in (Role.SERVICE_CENTER, Role.BUREAU, Role.ADMIN)
        and user.district_id == world.district_a.pk
    ):
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "pending" and created.get().registered_by == user
    elif role in (Role.SERVICE_CENTER, Role.BUREAU, Role.ADMIN):
        # Another district's registrar: the project and the item do not exist for them.
        assert response.status_code == 400 and set(response.json()) == {"project", "item"}
        assert not created.exists()
    else:
        assert response.status_code == 403
        assert not created.exists()


def test_register_twice_is_400_on_the_item(world, api_for):
    response = api_for("service_center").post(
        CASES, {"project": world.project1_a.pk, "item": world.item_works_a.pk}
    )
    assert response.status_code == 400 and list(response.json()) == ["item"]


def test_cases_are_changed_only_through_actions(world, api_for):
    api = api_for("admin")
    assert api.patch(case_url(world.case_a), {"status": "done"}).status_code == 405
    assert api.put(case_url(world.case_a), {"status": "done"}).status_code == 405
    assert api.delete(case_url(world.case_a)).status_code == 405
    assert ApprovalCase.objects.get(pk=world.case_a.pk).status == CaseStatus.PENDING


# ---------------------------------------------------------------------------------------
# Actions


def test_the_life_of_a_case_through_the_api(world, api_for):
    api = api_for("department")
    case = world.case_a
    body = api.post(
        case_url(case, "materials-complete"), {"materials_complete_on": "2026-06-15"}
    ).json()
    assert body["due_on"] == "2026-06-18" and body["days_left"] == 3
    body = api.post(
        case_url(case, "accept"), {"accepted_on": "2026-06-15", "version": body["version"]}
    ).json()
    assert body["status"] == "accepted"
    body = api.post(case_url(case, "start"), {"version": body["version"]}).json()
    assert body["status"] == "in_progress"
    body = api.post(case_url(case, "pause"), {"kind": "site_survey", "reason": "现场踏勘"}).json()
    assert body["paused"] is True and body["light"] == "none"
    body = api.post(case_url(case, "resume"), {}).json()
    assert (
        body["paused"] is False and body["due_on"] == "2026-06-18"
    )  # paused the same day: nothing lost
    body = api.post(
        case_url(case, "extend"),
        {"extension_reason": "需专家论证", "extension_approver": world.user_leader.pk},
    ).json()
    assert body["extended"] is True and body["due_on"] == "2026-06-30"
    body = api.post(case_url(case, "complete"), {"done_on": "2026-06-15"}).json()
    assert body["status"] == "done" and body["done_on"] == "2026-06-15" and body["light"] == "none"
    assert Notification.objects.filter(recipient=world.user_enterprise, verb="case.done").exists()


def test_report_return_and_pledge_actions(world, api_for):
    api = api_for("department")
    case = world.case_a
    body = api.post(
        case_url(case, "accept"),
        {"pledge_materials": "法人身份证明", "pledge_due_on": "2026-06-22"},
    ).json()
    assert body["pledge_materials"] == "法人身份证明" and body["status"] == "accepted"
    assert (
        api.post(case_url(case, "fulfil-pledge"), {}).json()["pledge_fulfilled_on"] == "2026-06-15"
    )
    body = api.post(case_url(case, "report"), {"reported_to": "市住建局"}).json()
    assert body["status"] == "reported"
    response = api.post(case_url(case, "complete"), {})
    assert response.status_code == 400 and list(response.json()) == ["higher_answer"]
    response = api.post(case_url(world.case_out_a, "return"), {"return_reason": "x"})
    assert response.status_code == 403  # 国土局's case
    body = (
        api_for("admin")
        .post(case_url(world.case_out_a, "return"), {"return_reason": "不符合规划"})
        .json()
    )
    assert body["status"] == "returned" and body["return_reason"] == "不符合规划"


def test_transfer_keeps_the_due_date(world, api_for):
    case = world.case_a
    api_for("department").post(
        case_url(case, "accept"), {"pledge_materials": "x", "pledge_due_on": "2026-06-20"}
    )
    before = ApprovalCase.objects.get(pk=case.pk)
    body = (
        api_for("service_center")
        .post(
            case_url(case, "transfer"),
            {"to_department": world.dept_land_a.pk, "reason": "属国土职责"},
        )
        .json()
    )
    assert (
        body["department"] == world.dept_land_a.pk and body["due_on"] == before.due_on.isoformat()
    )
    # 建设局 no longer holds it.
    assert api_for("department").post(case_url(case, "start"), {}).status_code == 403
    response = api_for("service_center").post(
        case_url(case, "transfer"), {"to_department": world.dept_works_b.pk, "reason": "x"}
    )
    assert response.status_code == 400 and list(response.json()) == ["to_department"]


@pytest.mark.parametrize("username", USERS)
def test_who_may_accept(world, api_for, username):
    """Every user × the three world cases: 404 out of scope, 403 without the right, else
    the service's answer (here 400: the materials are not complete)."""
    user = getattr(world, f"user_{username}")
    api = api_for(username)
    visible = visible_cases(world, user)
    for name in WORLD_CASES:
        case = getattr(world, name)
        response = api.post(case_url(case, "accept"), {"accepted_on": "2026-06-15"})
        if visible is None or role_of(user) == Role.CITY:
            expected = 403  # no staff API, or read-only
        elif case.pk not in visible:
            expected = 404
        elif not handles(world, user, case):
            expected = 403
        else:
            expected = 400
        assert response.status_code == expected, (name, response.content)
        if expected == 400:  # the prerequisites and the materials, in one answer
            unmet = services.unmet_prerequisites(case)
            assert set(response.json()) == (
                {"status", "materials_complete_on"} if unmet else {"materials_complete_on"}
            )
        assert ApprovalCase.objects.get(pk=case.pk).status == CaseStatus.PENDING


def test_stale_version_is_409_and_changes_nothing(world, api_for):
    case = world.case_a
    api = api_for("department")
    read = api.get(case_url(case)).json()["version"]
    api.post(case_url(case, "materials-complete"), {"version": read})
    response = api_for("officer").post(
        case_url(case, "pause"), {"kind": "supplement", "reason": "补正", "version": read}
    )
    assert response.status_code == 409 and list(response.json()) == ["version"]
    assert "Someone else acted on this case" in response.json()["version"][0]
    fresh = ApprovalCase.objects.get(pk=case.pk)
    assert fresh.status == CaseStatus.PENDING and not fresh.pauses.exists()


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        ("materials-complete", {"materials_complete_on": "2026-06-16"}, "materials_complete_on"),
        ("materials-complete", {"materials_complete_on": "someday"}, "materials_complete_on"),
        ("pause", {"kind": "supplement"}, "reason"),
        ("pause", {"kind": "holiday", "reason": "x"}, "kind"),
        ("accept", {"pledge_materials": "x", "pledge_due_on": "2026-06-10"}, "pledge_due_on"),
        ("transfer", {"to_department": "abc", "reason": "x"}, "to_department"),
        ("transfer", {"to_department": 10**20, "reason": "x"}, "to_department"),
        ("extend", {"extension_reason": "x", "extension_approver": None}, "extension_approver"),
        ("start", {"version": 0}, "version"),
        ("start", {"version": "abc"}, "version"),
        ("return", {"return_reason": "", "returned_on": "2026-06-15"}, "return_reason"),
    ],
)
def test_bad_action_input_is_400_keyed_by_field(world, api_for, action, payload, field):
    response = api_for("department").post(case_url(world.case_a, action), payload)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert ApprovalCase.objects.get(pk=world.case_a.pk).version == world.case_a.version


@pytest.mark.parametrize("body", ["{not json", "[1]", "null", "[" * 100_000])
def test_malformed_bodies_are_400(world, client_for, body):
    client = client_for("admin")
    assert client.post(CASES, body, content_type="application/json").status_code == 400
    assert (
        client.post(
            case_url(world.case_a, "accept"), body, content_type="application/json"
        ).status_code
        == 400
    )
    assert client.post(ITEMS, body, content_type="application/json").status_code == 400


# ---------------------------------------------------------------------------------------
# Filters and ordering


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_filters_and_ordering(world, api_for):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    api = api_for("bureau")
    dept = world.user_department
    late = services.register_case(world.user_service_center, world.project2_a, items["XM-01"])
    with time_machine.travel("2026-06-01 10:00 +0800", tick=False):
        early_item = ApprovalItem.objects.create(
            district=world.district_a,
            code="E-1",
            name="早登记",
            department=world.dept_works_a,
            phase="construction",
        )
        early = services.register_case(world.user_service_center, world.project2_a, early_item)
        services.mark_materials_complete(dept, early, day("2026-06-01"))
    assert set(_ids(api.get(CASES, {"project": world.project2_a.pk}))) == {
        late.pk,
        early.pk,
        world.case_out_a.pk,
    }
    assert _ids(api.get(CASES, {"light": "red"})) == [early.pk]
    assert set(_ids(api.get(CASES, {"department": world.dept_land_a.pk}))) == {world.case_out_a.pk}
    assert set(_ids(api.get(CASES, {"item": items["XM-01"].pk}))) == {late.pk}
    assert set(_ids(api.get(CASES, {"status": ["pending"]}))) == {
        late.pk,
        early.pk,
        world.case_a.pk,
        world.case_out_a.pk,
    }
    assert _ids(api.get(CASES, {"open": "false"})) == []
    ordered = _ids(api.get(CASES, {"ordering": "days_left"}))
    assert ordered[0] == early.pk  # the only one with a due date
    assert _ids(api.get(CASES, {"ordering": "-days_left"}))[0] == early.pk  # nulls last both ways
    assert api.get(CASES, {"light": "purple"}).status_code == 400
    assert api.get(CASES, {"project": "abc"}).status_code == 400
    assert api.get(CASES, {"project": world.project1_b.pk}).status_code == 400  # not visible


# ---------------------------------------------------------------------------------------
# The catalogue through the API


@pytest.mark.parametrize("username", USERS)
def test_only_the_district_admin_writes_the_catalogue(world, api_for, username):
    user = getattr(world, f"user_{username}")
    tag = "b" if user.district_id == world.district_b.pk else "a"
    payload = {
        "code": "NEW-1",
        "name": "新增事项",
        "department": getattr(world, f"dept_works_{tag}").pk,
        "phase": "construction",
        "time_limit": 2,
        "time_limit_unit": "workday",
        "prerequisites": [getattr(world, f"item_works_{tag}").pk],
        "materials": ["business_license"],
    }
    response = api_for(username).post(ITEMS, payload)
    if role_of(user) == Role.ADMIN:
        assert response.status_code == 201, response.content
        item = ApprovalItem.objects.get(pk=response.json()["id"])
        assert item.district_id == user.district_id
        assert list(item.prerequisites.all()) == [getattr(world, f"item_works_{tag}")]
        assert response.json()["prerequisites"] == [getattr(world, f"item_works_{tag}").pk]
    else:
        assert response.status_code == 403
        assert not ApprovalItem.objects.filter(code="NEW-1").exists()


def test_a_cycle_is_a_400_naming_it(world, api_for):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    api = api_for("admin")
    first = items["XM-01"]
    response = api.patch(
        f"{ITEMS}{first.pk}/", {"prerequisites": [items["GC-01"].pk], "time_limit": 2}
    )
    assert response.status_code == 400 and list(response.json()) == ["prerequisites"]
    message = response.json()["prerequisites"][0]
    assert "cycle" in message
    for name in (
        "企业投资项目备案",
        "建设工程规划许可证",
        "建设用地规划许可证",
        "用地预审与选址意见书",
    ):
        assert name in message
    first.refresh_from_db()
    assert first.time_limit == 3 and not first.prerequisites.exists()
    response = api.patch(f"{ITEMS}{first.pk}/", {"time_limit": 2, "time_limit_unit": "natural_day"})
    assert response.status_code == 200 and response.json()["time_limit"] == 2
    assert response.json()["prerequisites"] == []


def test_catalogue_write_errors(world, api_for):
    api = api_for("admin")
    item = world.item_works_a
    assert api.patch(f"{ITEMS}{item.pk}/", {"time_limit_unit": "fortnight"}).status_code == 400
    assert api.patch(f"{ITEMS}{item.pk}/", {"time_limit": 0}).status_code == 400
    assert api.patch(f"{ITEMS}{item.pk}/", {"prerequisites": [item.pk]}).status_code == 400
    assert (
        api.patch(f"{ITEMS}{item.pk}/", {"prerequisites": [world.item_works_b.pk]}).status_code
        == 400
    )
    assert api.patch(f"{ITEMS}{item.pk}/", {"department": world.dept_works_b.pk}).status_code == 400
    assert api.patch(f"{ITEMS}{item.pk}/", {"materials": ["no_such_material"]}).status_code == 400
    response = api.post(
        ITEMS,
        {
            "code": item.code,
            "name": "重复",
            "department": world.dept_works_a.pk,
            "phase": "construction",
        },
    )
    assert response.status_code == 400
    # An item with cases cannot be deleted; the answer says why.
    response = api.delete(f"{ITEMS}{item.pk}/")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    assert api.patch(f"{ITEMS}{world.item_works_b.pk}/", {"name": "x"}).status_code == 404


# ---------------------------------------------------------------------------------------
# Query counts: 3 rows cost as many queries as 30


def _grow_cases(world, n: int, start: int) -> None:
    project = world.project1_a
    for i in range(start, start + n):
        item = ApprovalItem.objects.create(
            district=world.district_a,
            code=f"C-{i}",
            name=f"计数{i}",
            department=world.dept_land_a,
            phase="construction",
        )
        item.prerequisites.add(world.item_works_a)
        item.materials.add(*MaterialType.objects.all()[:2])
        ApprovalCase.objects.create(
            district=world.district_a, project=project, item=item, department=item.department,
            status=CaseStatus.ACCEPTED, agent=world.user_service_center, handler=world.user_department,
            registered_on=day("2026-06-01"), registered_by=world.user_admin,
            materials_complete_on=day("2026-06-01"), time_limit=3, time_limit_unit="workday",
            due_on=day("2026-06-01") + datetime.timedelta(days=i % 30),
        )  # fmt: skip


@pytest.mark.parametrize("who", ["bureau", "city"])
@pytest.mark.parametrize("resource", [CASES, ITEMS])
def test_list_query_count_does_not_grow_with_rows(world, api_for, who, resource):
    api = api_for(who)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(resource, {"page_size": 100})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    _grow_cases(world, 3, 0)
    small, rows_small = count()
    _grow_cases(world, 27, 3)
    large, rows_large = count()
    assert rows_large == rows_small + 27
    print(f"\n{resource} as {who}: {small} queries for {rows_small} rows, {large} for {rows_large}")
    assert small == large


def test_list_order_is_the_old_computed_order(world, api_for):
    """The list is cut on the due date (issue 19.3): page by page it gives the order it gave
    when it sorted every case by its working days left (``days_left``, no due date last, then
    id), and the days left and light of the page's rows are those of ``with_days_left``."""
    from django.db.models import F

    from zhaoshang.core import clock

    _grow_cases(world, 30, 0)  # due dates over 30 calendar days: weekends and a holiday
    api = api_for("bureau")
    old = list(
        ApprovalCase.objects.visible_to(world.user_bureau)
        .with_days_left(clock.today())
        .order_by(F("days_left").asc(nulls_last=True), "id")
        .values_list("pk", "days_left", "light")
    )
    assert any(row[1] is None for row in old) and len({row[1] for row in old}) > 5
    listed = []
    for number in range(1, 6):
        response = api.get(CASES, {"page_size": 7, "page": number})
        if response.status_code == 404:
            break
        listed += [(r["id"], r["days_left"], r["light"]) for r in response.json()["results"]]
    assert listed == old
    descending = [
        r["days_left"] for r in api.get(CASES, {"ordering": "-days_left"}).json()["results"]
    ]
    known = sorted((row[1] for row in old if row[1] is not None), reverse=True)
    assert descending == known + [None] * (len(old) - len(known))
