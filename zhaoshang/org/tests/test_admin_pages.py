"""A district's admin manages its own reference data in /admin/, nothing of other districts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.org.models import Department


@pytest.fixture
def admin_client(client, world):
    user = world.user_admin
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model",
    ["department", "zone", "park", "industry", "workinggroup", "user", "industryclass", "district"],
)
def test_admin_pages_open_for_the_district_admin(admin_client, model):
    assert admin_client.get(reverse(f"admin:org_{model}_changelist")).status_code == 200


def test_only_own_district_records_are_listed_and_reachable(admin_client, world):
    page = admin_client.get(reverse("admin:org_department_changelist")).content.decode()
    assert world.dept_works_a.name in page
    other = world.dept_works_b
    # Out of scope is not there at all: a 404, as on the pages (no redirect, no hint).
    assert (
        admin_client.get(reverse("admin:org_department_change", args=[other.pk])).status_code == 404
    )
    assert not Department.objects.filter(pk=other.pk, name="改名").exists()


def test_new_records_are_filed_in_the_admins_district(admin_client, world):
    response = admin_client.post(
        reverse("admin:org_department_add"),
        {"name": "区商务局", "short_name": "商务局", "kind": "government", "sort_order": 100},
    )
    assert response.status_code == 302
    assert Department.objects.get(name="区商务局").district == world.district_a


def test_national_data_is_view_only(admin_client, world):
    response = admin_client.get(reverse("admin:org_district_change", args=[world.district_a.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_district_admin_cannot_grant_superuser(admin_client, world):
    html = admin_client.get(
        reverse("admin:org_user_change", args=[world.user_bureau.pk])
    ).content.decode()
    assert 'name="is_superuser"' not in html and 'name="groups"' in html


def test_other_roles_have_no_admin(client_for, world):
    user = world.user_bureau
    user.is_staff = True
    user.save()
    client = client_for("bureau")
    assert 'href="/admin/org/' not in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("admin:org_department_changelist")).status_code == 403
