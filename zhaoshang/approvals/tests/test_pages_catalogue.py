"""The approval catalogue: its pages and its admin."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhaoshang.approvals.catalogue import seed_catalogue
from zhaoshang.approvals.choices import CaseStatus, PauseKind
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem, CasePause
from zhaoshang.approvals.tests.pages import EN, action_url, day
from zhaoshang.core.models import DomainEvent


def post(client, case, slug: str, **data):
    """Post an action with the version the user read (the case as it is now)."""
    case.refresh_from_db()
    data.setdefault("version", case.version)
    return client.post(action_url(case, slug), data, **EN)


def text(response) -> str:
    """The visible text of a page's main part."""
    html = response.content.decode()
    html = html[html.find("<main") : html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def handler(client_for):
    return client_for("department")


# ---------------------------------------------------------------------------------------
# The case page: the life of a case


def test_catalogue_is_grouped_by_phase(world, client_for):
    response = client_for("department").get(reverse("approvals:catalogue"), **EN)
    page = text(response)
    for phase in (
        "Project approval and land-use planning",
        "Construction-works planning permit",
        "Utility connections",
    ):
        assert phase in page
    assert (
        page.index("企业投资项目备案") < page.index("建设工程规划许可证") < page.index("供电接入")
    )
    assert "15 Natural days" in page  # 供电接入
    html = response.content.decode()
    assert world.item_works_b.get_absolute_url() not in html  # another district's catalogue
    assert world.item_works_a.get_absolute_url() in html


def test_a_cycle_in_the_catalogue_form_is_named_and_nothing_is_saved(world, client_for):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    first = items["XM-01"]
    admin = client_for("admin")
    url = reverse("approvals:item_edit", args=[first.pk])
    form = admin.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "materials"}
    data.update(
        time_limit=2,
        prerequisites=[items["GC-01"].pk],
        materials=[m.pk for m in first.materials.all()],
    )
    response = admin.post(url, data, **EN)
    assert response.status_code == 400
    error = re.search(r'data-field="prerequisites">([^<]+)<', response.content.decode()).group(1)
    assert "cycle" in error
    for name in (
        "企业投资项目备案",
        "建设工程规划许可证",
        "建设用地规划许可证",
        "用地预审与选址意见书",
    ):
        assert name in error
    first.refresh_from_db()
    assert first.time_limit == 3 and not first.prerequisites.exists()  # nothing saved

    data["prerequisites"] = []
    response = admin.post(url, data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.time_limit == 2


def test_catalogue_item_edit_sets_prerequisites_through_the_service(world, client_for):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    item = world.item_works_a
    admin = client_for("admin")
    url = reverse("approvals:item_edit", args=[item.pk])
    data = {k: v for k, v in admin.get(url).context["form"].initial.items() if v is not None}
    data.update(
        prerequisites=[items["GC-01"].pk], time_limit_unit="natural_day", time_limit=2, materials=[]
    )
    assert admin.post(url, data).status_code == 302
    item.refresh_from_db()
    assert list(item.prerequisites.all()) == [items["GC-01"]] and item.time_limit == 2
    assert (
        DomainEvent.objects.for_object(item).filter(verb="approval_item.prerequisites_set").exists()
    )
    # Cases already registered keep the limit they started with.
    assert ApprovalCase.objects.get(pk=world.case_a.pk).time_limit == 3
    page = text(client_for("department").get(item.get_absolute_url(), **EN))
    assert "建设工程规划许可证" in page and "2 Natural days" in page


# ---------------------------------------------------------------------------------------
# Django admin


@pytest.fixture
def staff_admin(world, client_for):
    user = world.user_admin
    user.is_staff = True
    user.save()
    return client_for("admin")


def test_admin_rejects_a_cycle_in_the_prerequisites(world, staff_admin):
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    first = items["XM-01"]
    url = reverse("admin:approvals_approvalitem_change", args=[first.pk])
    page = staff_admin.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, list | tuple):
            value = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if not value:
                continue
            value = "on"
        data[name] = value
    data["prerequisites"] = [items["GC-01"].pk]
    response = staff_admin.post(url, data, **EN)
    assert response.status_code == 200  # the form again, with the error
    assert "would make a cycle" in response.content.decode()
    assert not first.prerequisites.exists()
    data["prerequisites"] = [items["XM-05"].pk]  # 节能审查 itself needs 备案
    response = staff_admin.post(url, data, **EN)
    assert "would make a cycle" in response.content.decode()
    data["prerequisites"] = [world.item_works_a.pk]
    data["time_limit"] = 2
    response = staff_admin.post(url, data, **EN)
    assert response.status_code == 302
    assert list(first.prerequisites.all()) == [world.item_works_a]
    # written by the catalogue service: its event names what changed, with the history
    event = DomainEvent.objects.for_object(first).get(verb="approval_item.updated")
    assert event.actor == world.user_admin and event.data["changed"] == ["time_limit"]
    first.refresh_from_db()
    assert first.time_limit == 2 and first.history.first().history_user == world.user_admin


def test_admin_adds_an_item_through_the_service(world, staff_admin):
    url = reverse("admin:approvals_approvalitem_add")
    data = {
        "code": "ZZ-01",
        "name": "测试事项",
        "department": world.dept_works_a.pk,
        "level": ApprovalItem._meta.get_field("level").choices[0][0],
        "phase": ApprovalItem._meta.get_field("phase").choices[0][0],
        "time_limit": 2,
        "time_limit_unit": ApprovalItem._meta.get_field("time_limit_unit").choices[0][0],
        "special_time_limit": 10,
        "is_active": "on",
        "sort_order": 1,
    }
    response = staff_admin.post(url, data, **EN)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = ApprovalItem.objects.get(code="ZZ-01")
    assert item.district == world.district_a  # the admin's own district
    assert DomainEvent.objects.for_object(item).filter(verb="approval_item.created").exists()


def test_admin_shows_cases_read_only(world, staff_admin):
    case = world.case_a
    CasePause.objects.create(
        case=case,
        kind=PauseKind.SUPPLEMENT,
        reason="缺营业执照",
        started_on=day("2026-06-15"),
        created_by=world.user_department,
    )
    url = reverse("admin:approvals_approvalcase_change", args=[case.pk])
    response = staff_admin.get(url)
    assert response.status_code == 200 and "缺营业执照" in response.content.decode()
    assert 'name="_save"' not in response.content.decode()
    response = staff_admin.post(url, {"status": "done"})
    assert response.status_code == 403
    assert ApprovalCase.objects.get(pk=case.pk).status == CaseStatus.PENDING
    assert staff_admin.get(reverse("admin:approvals_approvalcase_changelist")).status_code == 200
    assert staff_admin.get(reverse("admin:approvals_jointdecision_changelist")).status_code == 200
    # Another district's case is not there.
    assert (
        staff_admin.get(
            reverse("admin:approvals_approvalcase_change", args=[world.case_b.pk])
        ).status_code
        == 404
    )
