"""Editing the catalogue (审批事项目录) goes through ``services.update_item`` and
``services.create_item`` — from the item's edit page and from ``/api/v1/approval-items/``
alike: the district's administrator only, a prerequisite cycle refused and named, all or
nothing, and an audit event saying what changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.core.audit import EVENT_LABELS, event_label
from zhaoshang.core.models import DomainEvent
from zhaoshang.projects.models import MaterialType

ITEMS_API = "/api/v1/approval-items/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CYCLE_NAMES = (
    "企业投资项目备案",
    "建设工程规划许可证",
    "建设用地规划许可证",
    "用地预审与选址意见书",
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def calls(monkeypatch):
    """Records each call of the catalogue services, which still do their work."""
    seen: list[tuple[str, dict]] = []
    for name in ("update_item", "create_item"):
        real = getattr(services, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen.append((_name, kwargs))
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, spy)
    return seen


@pytest.fixture
def api_for(client_for):
    """api_for("admin") → that world user's session client sending JSON, in English."""

    class JsonClient:
        def __init__(self, client):
            self.client = client

        def __getattr__(self, method):  # post, patch
            def send(url, data=None):
                return getattr(self.client, method)(
                    url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
                )

            return send

    return lambda username: JsonClient(client_for(username))


def _events(item, verb):
    return list(DomainEvent.objects.for_object(item).filter(verb=verb))


# ---------------------------------------------------------------------------------------
# The services


def test_update_item_saves_and_records_what_changed(world, catalogue):
    item = catalogue["XM-05"]
    material = MaterialType.objects.get(code="eia_report")
    saved = services.update_item(
        world.user_admin,
        item,
        name="节能审查（含能评）",
        time_limit=2,
        sort_order=item.sort_order,  # unchanged: not listed
        materials=[material],
        prerequisites=[catalogue["XM-01"]],
    )
    saved.refresh_from_db()
    assert (saved.name, saved.time_limit) == ("节能审查（含能评）", 2)
    assert list(saved.materials.all()) == [material]
    (event,) = _events(item, "approval_item.updated")
    assert event.actor == world.user_admin and event.summary == "节能审查（含能评）"
    assert sorted(event.data["changed"]) == ["materials", "name", "time_limit"]
    assert saved.history.first().history_user == world.user_admin


def test_a_cycle_is_refused_named_and_nothing_is_saved(world, catalogue):
    first = catalogue["XM-01"]
    with pytest.raises(ValidationError) as exc:
        services.update_item(
            world.user_admin, first, time_limit=2, prerequisites=[catalogue["GC-01"]]
        )
    (message,) = exc.value.message_dict["prerequisites"]
    assert "cycle" in message and all(name in message for name in CYCLE_NAMES)
    first.refresh_from_db()
    assert first.time_limit == 3 and not first.prerequisites.exists()
    assert not _events(first, "approval_item.updated")


def test_only_the_districts_administrator_edits(world, catalogue):
    item = catalogue["XM-05"]
    for user in (world.user_bureau, world.user_department, world.user_admin_b, world.user_city):
        with pytest.raises(PermissionDenied):
            services.update_item(user, item, time_limit=2)
        with pytest.raises(PermissionDenied):
            services.create_item(user, world.district_a, code="N-1", name="新事项")
    item.refresh_from_db()
    assert item.time_limit == 3
    assert not ApprovalItem.objects.filter(code="N-1").exists()


def test_invalid_settings_are_refused_by_field(world, catalogue):
    item = catalogue["XM-05"]
    cases = [
        ({"department": world.dept_works_b}, "department"),
        ({"code": "XM-01"}, "__all__"),  # the district's codes are unique
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit_unit": "fortnight"}, "time_limit_unit"),
        ({"prerequisites": [item]}, "prerequisites"),
        ({"prerequisites": [world.item_works_b]}, "prerequisites"),
    ]
    for fields, key in cases:
        with pytest.raises(ValidationError) as exc:
            services.update_item(world.user_admin, item, name="改名", **fields)
        assert key in exc.value.message_dict, fields
    item.refresh_from_db()
    assert item.name == "节能审查"
    with pytest.raises(TypeError):
        services.update_item(world.user_admin, item, district=world.district_b)


def test_create_item_adds_to_the_district(world, catalogue):
    item = services.create_item(
        world.user_admin,
        world.district_a,
        code="XM-09",
        name="洪水影响评价",
        department=catalogue["XM-07"].department,
        phase="project_land",
        time_limit=10,
        special_procedure=True,
        statutory_limit=20,
        prerequisites=[catalogue["XM-01"]],
        materials=[MaterialType.objects.get(code="feasibility_study")],
    )
    assert item.district == world.district_a and item.time_limit == 10
    assert list(item.prerequisites.all()) == [catalogue["XM-01"]]
    (event,) = _events(item, "approval_item.created")
    assert "time_limit" in event.data["changed"] and "materials" in event.data["changed"]


def test_the_events_have_labels():
    for verb in ("approval_item.created", "approval_item.updated"):
        assert verb in EVENT_LABELS and event_label(verb) != verb


# ---------------------------------------------------------------------------------------
# The edit page


def _form_data(client, item) -> dict:
    form = client.get(reverse("approvals:item_edit", args=[item.pk])).context["form"]
    return {k: v for k, v in form.initial.items() if v is not None}


def test_the_edit_page_goes_through_update_item(world, catalogue, client_for, calls):
    item = catalogue["XM-05"]
    admin = client_for("admin")
    data = _form_data(admin, item)
    data.update(time_limit=2, materials=[], prerequisites=[catalogue["XM-01"].pk])
    response = admin.post(reverse("approvals:item_edit", args=[item.pk]), data, **EN)
    assert response.status_code == 302
    assert [name for name, _kwargs in calls] == ["update_item"]
    assert calls[0][1]["time_limit"] == 2
    (event,) = _events(item, "approval_item.updated")
    assert sorted(event.data["changed"]) == ["materials", "time_limit"]


def test_the_edit_page_shows_the_cycle_on_its_field(world, catalogue, client_for, calls):
    first = catalogue["XM-01"]
    admin = client_for("admin")
    data = _form_data(admin, first)
    data.update(time_limit=2, materials=[], prerequisites=[catalogue["GC-01"].pk])
    response = admin.post(reverse("approvals:item_edit", args=[first.pk]), data, **EN)
    assert response.status_code == 400 and calls
    errors = response.context["form"].errors["prerequisites"]
    assert "cycle" in errors[0] and all(name in errors[0] for name in CYCLE_NAMES)
    first.refresh_from_db()
    assert first.time_limit == 3 and first.materials.exists()


# ---------------------------------------------------------------------------------------
# The API


def test_the_api_updates_through_update_item(world, catalogue, api_for, calls):
    item = catalogue["XM-05"]
    api = api_for("admin")
    response = api.patch(f"{ITEMS_API}{item.pk}/", {"time_limit": 2, "legal_basis": "新依据"})
    assert response.status_code == 200, response.content
    assert response.json()["time_limit"] == 2
    assert [name for name, _kwargs in calls] == ["update_item"]
    (event,) = _events(item, "approval_item.updated")
    assert sorted(event.data["changed"]) == ["legal_basis", "time_limit"]

    response = api.patch(
        f"{ITEMS_API}{catalogue['XM-01'].pk}/",
        {"prerequisites": [catalogue["GC-01"].pk], "time_limit": 2},
    )
    assert response.status_code == 400 and list(response.json()) == ["prerequisites"]
    assert all(name in response.json()["prerequisites"][0] for name in CYCLE_NAMES)
    assert ApprovalItem.objects.get(pk=catalogue["XM-01"].pk).time_limit == 3


def test_the_api_creates_through_create_item(world, catalogue, api_for, calls):
    response = api_for("admin").post(
        ITEMS_API,
        {
            "code": "XM-09",
            "name": "洪水影响评价",
            "department": catalogue["XM-07"].department.pk,
            "phase": "project_land",
            "time_limit": 10,
            "special_procedure": True,
            "statutory_limit": 20,
            "prerequisites": [catalogue["XM-01"].pk],
            "materials": ["feasibility_study"],
        },
    )
    assert response.status_code == 201, response.content
    assert [name for name, _kwargs in calls] == ["create_item"]
    item = ApprovalItem.objects.get(pk=response.json()["id"])
    assert item.district == world.district_a
    assert response.json()["prerequisites"] == [catalogue["XM-01"].pk]
    assert _events(item, "approval_item.created")
