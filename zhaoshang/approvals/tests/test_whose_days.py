"""Fair accountability in approvals (issue 16, points 3 and 4; SPEC §20): the district's
promise against the law's limit, and a department answering only for the days it held a
case. Working days counted by hand on the 2026 arrangement (端午: Friday 2026-06-19 off)."""

from __future__ import annotations

import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import ItemLevel, LimitUnit, Party, Phase
from zhaoshang.approvals.forms import ItemForm
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.approvals.querysets import done_q, on_time_q
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.projects.models import Project

ITEMS_API = "/api/v1/approval-items/"
CASES_API = "/api/v1/approval-cases/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api_for(client_for):
    """api_for("bureau") → a session client of that world user sending JSON (in English)."""

    class JsonClient:
        def __init__(self, client):
            self.client = client

        def get(self, url):
            return self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")

        def patch(self, url, data):
            return self.client.patch(
                url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
            )

    return lambda username: JsonClient(client_for(username))


def _register(world, item, on="2026-06-01", **kwargs):
    with time_machine.travel(f"{on} 09:00 +0800", tick=False):
        return services.register_case(world.user_service_center, world.project1_a, item, **kwargs)


def _entries(case):
    return list(
        LedgerEntry.objects.filter(rule_code=RuleCode.OVERDUE_CASE, evidence_id=case.pk)
        .select_related("department")
        .order_by("pk")
    )


def _on_time(case) -> bool:
    return ApprovalCase.objects.filter(pk=case.pk).done().on_time().exists()


# -- point 4: promised and statutory limits ----------------------------------------------


def test_a_promise_of_11_days_is_refused_on_its_field(world, catalogue):
    item = catalogue["XM-01"]
    with pytest.raises(ValidationError) as exc:
        services.update_item(world.user_admin, item, time_limit=11, special_procedure=True)
    assert list(exc.value.error_dict) == ["time_limit"]
    assert "within 10 working days at most" in str(exc.value)
    # 4 days needs the special procedure; with it, 4 is kept.
    with pytest.raises(ValidationError) as exc:
        services.update_item(world.user_admin, item, time_limit=4)
    assert "needs the special procedure" in str(exc.value.error_dict["time_limit"])
    item.refresh_from_db()
    assert (item.time_limit, item.special_procedure) == (3, False)  # nothing saved
    saved = services.update_item(
        world.user_admin, item, time_limit=4, special_procedure=True, statutory_limit=20
    )
    assert (saved.time_limit, saved.special_procedure, saved.statutory_limit) == (4, True, 20)
    # The special-circumstances limit is a promise too; an item reported upward is not bound.
    with pytest.raises(ValidationError) as exc:
        services.update_item(world.user_admin, item, special_time_limit=15)
    assert list(exc.value.error_dict) == ["special_time_limit"]
    eia = services.update_item(
        world.user_admin, catalogue["XM-04"], time_limit=25, statutory_limit=60
    )
    assert eia.level == ItemLevel.REPORTED and eia.time_limit == 25
    # A promise longer than the law's own limit is refused as well.
    with pytest.raises(ValidationError) as exc:
        services.update_item(world.user_admin, catalogue["XM-02"], statutory_limit=2)
    assert "statutory limit (2)" in str(exc.value.error_dict["time_limit"])


def test_the_form_and_the_api_refuse_an_11_day_promise(world, catalogue, api_for):
    item = catalogue["XM-01"]
    form = ItemForm(
        data={
            "code": item.code,
            "name": item.name,
            "department": item.department_id,
            "level": ItemLevel.DISTRICT,
            "phase": Phase.PROJECT_LAND,
            "time_limit": 11,
            "time_limit_unit": LimitUnit.WORKDAY,
            "special_time_limit": 10,
            "special_procedure": "on",
            "sort_order": 10,
        },
        instance=ApprovalItem.objects.get(pk=item.pk),
    )
    assert not form.is_valid() and "time_limit" in form.errors
    response = api_for("admin").patch(
        f"{ITEMS_API}{item.pk}/", {"time_limit": 11, "special_procedure": True}
    )
    assert response.status_code == 400 and list(response.json()) == ["time_limit"]
    body = api_for("admin").get(f"{ITEMS_API}{catalogue['XM-08'].pk}/").json()
    assert (body["time_limit"], body["statutory_limit"], body["special_procedure"]) == (
        10,
        45,
        True,
    )


def test_the_admin_refuses_an_11_day_promise(world, client_for):
    world.user_admin.is_staff = True
    world.user_admin.save()
    data = {
        "code": "ZZ-01",
        "name": "测试事项",
        "department": world.dept_works_a.pk,
        "level": ItemLevel.DISTRICT,
        "phase": Phase.CONSTRUCTION,
        "time_limit": 11,
        "time_limit_unit": LimitUnit.WORKDAY,
        "special_time_limit": 10,
        "special_procedure": "on",
        "is_active": "on",
        "sort_order": 1,
    }
    response = client_for("admin").post(
        reverse("admin:approvals_approvalitem_add"), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "time_limit" in response.context["adminform"].form.errors
    assert not ApprovalItem.objects.filter(code="ZZ-01").exists()
    data.update(time_limit=10, statutory_limit=30)  # the law's 30, promised in 10
    response = client_for("admin").post(
        reverse("admin:approvals_approvalitem_add"), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    item = ApprovalItem.objects.get(code="ZZ-01")
    assert (item.time_limit, item.statutory_limit, item.special_procedure) == (10, 30, True)


def test_on_time_counts_against_the_promise_not_the_statute(world, catalogue, handler_for):
    """取水许可: 45 working days by law, promised in 10. Materials complete Wednesday 06-03:
    the 10 working days are 04, 05, 08, 09, 10, 11, 12, 15, 16, 17 → due 06-17. Done Monday
    06-22 (19 is 端午): late, though well within the 45 days of the law."""
    filing = _register(world, catalogue["XM-01"])
    water = _register(world, catalogue["XM-08"])
    assert (water.time_limit, water.item.statutory_limit) == (10, 45)
    ndrc, water_handler = handler_for(catalogue["XM-01"]), handler_for(catalogue["XM-08"])
    with time_machine.travel("2026-06-22 10:00 +0800", tick=False):
        services.mark_materials_complete(ndrc, filing, day("2026-06-01"))
        filing = services.accept_case(ndrc, filing, day("2026-06-01"))
        services.complete_case(ndrc, filing, day("2026-06-02"))
        water = services.mark_materials_complete(water_handler, water, day("2026-06-03"))
        assert water.due_on == day("2026-06-17")
        water = services.accept_case(water_handler, water, day("2026-06-03"))
        (water,) = services.complete_case(water_handler, water, day("2026-06-22"))
    assert _on_time(filing) and not _on_time(water)
    # Its own days: 04 … 17 (10), 18, 22 = 12 > 10: the water bureau answers.
    assert (water.late_party, water.late_department) == (Party.DEPARTMENT, water.department)
    (entry,) = _entries(water)
    assert entry.department == water.department and entry.occurred_on == day("2026-06-22")


def test_the_data_migration_keeps_the_law_and_caps_the_promise(world, catalogue):
    """Items saved before the rule: 取水许可 at 45 and 节能审查 at 5 (district), 供电接入 at 15
    natural days (a utility) and 环评 at 20 (reported upward)."""
    ApprovalItem.objects.filter(pk=catalogue["XM-08"].pk).update(
        time_limit=45, statutory_limit=None, special_procedure=False, special_time_limit=20
    )
    ApprovalItem.objects.filter(pk=catalogue["XM-05"].pk).update(time_limit=5)
    migration = importlib.import_module(
        "zhaoshang.approvals.migrations.0004_promised_limits_and_whose_days"
    )
    migration.promise_limits(django_apps, None)
    items = {i.code: i for i in ApprovalItem.objects.filter(district=world.district_a)}
    water, energy = items["XM-08"], items["XM-05"]
    assert (water.time_limit, water.statutory_limit, water.special_procedure) == (10, 45, True)
    assert water.special_time_limit == 10
    assert (energy.time_limit, energy.statutory_limit, energy.special_procedure) == (5, 5, True)
    assert (items["SZ-01"].time_limit, items["SZ-01"].statutory_limit) == (15, 15)
    assert not items["SZ-01"].special_procedure
    assert (items["XM-04"].time_limit, items["XM-04"].statutory_limit) == (20, 20)
    assert (items["XM-01"].time_limit, items["XM-01"].special_procedure) == (3, False)


# -- point 3: whose days ---------------------------------------------------------------


def test_days_waiting_for_another_departments_prerequisite_are_that_departments(
    world, catalogue, handler_for, api_for
):
    """用地预审 (国土局) needs 备案 (发改局) first. 预审's materials are complete Monday 06-08:
    due 06-11 (9, 10, 11). 备案's materials are complete 06-10 and it is done 06-15, within
    its own 3 days (11, 12, 15). 预审 is accepted 06-15 and done Wednesday 06-17.
    预审's days: 9, 10, 11, 12, 15 waiting for 备案 (5, 发改局's); 16, 17 its own (2 ≤ 3)."""
    filing = _register(world, catalogue["XM-01"])
    land = _register(world, catalogue["XM-02"])
    ndrc, land_handler = handler_for(catalogue["XM-01"]), handler_for(catalogue["XM-02"])
    with time_machine.travel("2026-06-12 10:00 +0800", tick=False):
        land = services.mark_materials_complete(land_handler, land, day("2026-06-08"))
        assert land.due_on == day("2026-06-11")
        filing = services.mark_materials_complete(ndrc, filing, day("2026-06-10"))
        filing = services.accept_case(ndrc, filing, day("2026-06-10"))
        # Friday's scan: 预审 is overdue while still waiting (9, 10, 11, 12 are 发改局's).
        assert services.scan_overdue(day("2026-06-12")) == 1
    (entry,) = _entries(land)
    assert entry.department == filing.department != land.department
    assert entry.occurred_on == day("2026-06-12") and entry.year == 2026
    assert "waited 4 working days for the prerequisite “企业投资项目备案”" in entry.reason
    with time_machine.travel("2026-06-17 10:00 +0800", tick=False):
        (filing,) = services.complete_case(ndrc, filing, day("2026-06-15"))
        land = services.accept_case(land_handler, land, day("2026-06-15"))
        (land,) = services.complete_case(land_handler, land, day("2026-06-17"))
        result = services.attribute(land)
    shares = {(s.party, s.department_id): s.days for s in result.shares}
    assert shares == {
        (Party.PREREQUISITE, filing.department_id): 5,
        (Party.DEPARTMENT, land.department_id): 2,
    }
    assert (land.late_party, land.late_department) == (Party.PREREQUISITE, filing.department)
    assert _entries(land) == [entry]  # written once, to 发改局; none to 国土局
    assert not LedgerEntry.objects.filter(department=land.department).exists()
    # On time for the department that held it; 备案 itself was on time.
    assert _on_time(land) and _on_time(filing)
    # Per department (the quarterly bulletin's grouping) and per project (the KPIs', through
    # a prefix): each department 1 done, 1 on time; the project 2 of 2.
    per_department = (
        ApprovalCase.objects.filter(project=world.project1_a)
        .done()
        .order_by()
        .values("department_id")
        .annotate(done=Count("pk"), on_time=Count("pk", filter=on_time_q()))
    )
    assert {r["department_id"]: (r["done"], r["on_time"]) for r in per_department} == {
        land.department_id: (1, 1),
        filing.department_id: (1, 1),
    }
    prefixed = done_q(prefix="approval_cases__") & on_time_q(prefix="approval_cases__")
    project = Project.objects.annotate(n=Count("approval_cases", filter=prefixed)).get(
        pk=world.project1_a.pk
    )
    assert project.n == 2
    with time_machine.travel("2026-06-17 10:00 +0800", tick=False):
        body = api_for("bureau").get(f"{CASES_API}{land.pk}/").json()
    assert body["late_party"] == "prerequisite"
    assert [(r["party"], r["days"]) for r in body["days_held"]] == [
        ("prerequisite", 5),
        ("department", 2),
    ]
    assert body["days_held"][0]["note"] == "企业投资项目备案"


def test_the_holder_answers_for_its_own_days_past_the_limit(world, catalogue, handler_for):
    """备案, materials complete Monday 06-08, due 06-11, done Monday 06-15: its own days 9,
    10, 11, 12, 15 = 5 > 3 — the fourth (Friday 06-12) was 发改局's."""
    filing = _register(world, catalogue["XM-01"])
    ndrc = handler_for(catalogue["XM-01"])
    with time_machine.travel("2026-06-15 10:00 +0800", tick=False):
        services.mark_materials_complete(ndrc, filing, day("2026-06-08"))
        filing = services.accept_case(ndrc, filing, day("2026-06-08"))
        (filing,) = services.complete_case(ndrc, filing, day("2026-06-15"))
    assert (filing.late_party, filing.late_department) == (Party.DEPARTMENT, filing.department)
    (entry,) = _entries(filing)
    assert entry.department == filing.department and "held it 5 days" in entry.reason
    assert not _on_time(filing)


def test_days_after_reporting_upward_are_the_higher_authoritys(world, catalogue, handler_for):
    """备案, materials complete Monday 06-08 (due 06-11), reported upward Wednesday 06-10,
    answered and done Monday 06-22: 9, 10 are 发改局's (2 ≤ 3); 11, 12, 15, 16, 17, 18, 22
    (19 is 端午) are the higher authority's (7). No district department answers."""
    filing = _register(world, catalogue["XM-01"])
    ndrc = handler_for(catalogue["XM-01"])
    with time_machine.travel("2026-06-12 10:00 +0800", tick=False):
        services.mark_materials_complete(ndrc, filing, day("2026-06-08"))
        filing = services.accept_case(ndrc, filing, day("2026-06-08"))
        filing = services.report_upward(ndrc, filing, "市发改委", day("2026-06-10"))
        assert services.scan_overdue(day("2026-06-12")) == 0  # overdue, but not the district's
    with time_machine.travel("2026-06-22 10:00 +0800", tick=False):
        (filing,) = services.complete_case(ndrc, filing, day("2026-06-22"), answer="同意备案")
        result = services.attribute(filing)
    assert {(s.party, s.days) for s in result.shares} == {
        (Party.DEPARTMENT, 2),
        (Party.HIGHER, 7),
    }
    assert next(s for s in result.shares if s.party == Party.HIGHER).note == "市发改委"
    assert (filing.late_party, filing.late_department) == (Party.HIGHER, None)
    assert _entries(filing) == [] and _on_time(filing)


def test_a_registration_delay_is_the_service_centers(world, catalogue, handler_for):
    """备案's complete application reached the window Friday 06-05; the service center
    registered it Wednesday 06-10. Due 06-10 (8, 9, 10); done Friday 06-12. Days: 8, 9, 10
    the service center's (3), 11, 12 发改局's (2 ≤ 3): the service center answers."""
    filing = _register(world, catalogue["XM-01"], on="2026-06-10", applied_on=day("2026-06-05"))
    ndrc = handler_for(catalogue["XM-01"])
    with time_machine.travel("2026-06-12 10:00 +0800", tick=False):
        filing = services.mark_materials_complete(ndrc, filing, day("2026-06-05"))
        assert filing.due_on == day("2026-06-10")
        filing = services.accept_case(ndrc, filing, day("2026-06-10"))
        (filing,) = services.complete_case(ndrc, filing, day("2026-06-12"))
        result = services.attribute(filing)
    center = world.user_service_center.department
    assert {(s.party, s.department_id, s.days) for s in result.shares} == {
        (Party.SERVICE_CENTER, center.pk, 3),
        (Party.DEPARTMENT, filing.department_id, 2),
    }
    assert (filing.late_party, filing.late_department) == (Party.SERVICE_CENTER, center)
    (entry,) = _entries(filing)
    assert entry.department == center and "registered at the service center" in entry.reason
    assert _on_time(filing)  # for 发改局, which held it 2 of its 3 days
    with pytest.raises(ValidationError) as exc:
        _register(world, catalogue["XM-02"], applied_on=day("2026-06-02"))
    assert "applied_on" in exc.value.error_dict


def test_the_register_form_records_the_day_of_application(world, catalogue, client_for):
    with time_machine.travel("2026-06-10 09:00 +0800", tick=False):
        response = client_for("service_center").post(
            reverse("approvals:register", args=[world.project1_a.pk]),
            {"item": catalogue["XM-01"].pk, "applied_on": "2026-06-05"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    case = ApprovalCase.objects.get(project=world.project1_a, item=catalogue["XM-01"])
    assert (case.applied_on, case.registered_on) == (day("2026-06-05"), day("2026-06-10"))


def test_the_case_page_shows_the_days_by_party(world, catalogue, handler_for, client_for):
    filing = _register(world, catalogue["XM-01"])
    ndrc = handler_for(catalogue["XM-01"])
    with time_machine.travel("2026-06-12 10:00 +0800", tick=False):
        services.mark_materials_complete(ndrc, filing, day("2026-06-08"))
        filing = services.accept_case(ndrc, filing, day("2026-06-08"))
        services.report_upward(ndrc, filing, "市发改委", day("2026-06-10"))
        page = client_for("bureau").get(filing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Higher authority" in text and "市发改委" in text and "statutory limit" in text
