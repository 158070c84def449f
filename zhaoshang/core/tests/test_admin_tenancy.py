"""The holes an attacker found in /admin/, closed: revert across districts, the event log,
the roles a district administrator may give, and a record's district."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from zhaoshang.core.models import DomainEvent
from zhaoshang.org.models import Department, Park, User, Zone


@pytest.fixture
def admin_client(client, world):
    user = world.user_admin
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def root_client(client, world):
    root = User.objects.create(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


def _version(obj):
    return obj.history.order_by("-history_id").first().history_id


def _revert_data(department, **extra):
    return {
        "name": department.name,
        "short_name": department.short_name,
        "kind": department.kind,
        "sort_order": department.sort_order,
        **extra,
    }


def test_a_revert_of_another_districts_record_is_a_404_and_changes_nothing(admin_client, world):
    other = world.dept_works_b
    version = _version(other)
    url = reverse("admin:org_department_simple_history", args=[other.pk, version])
    assert admin_client.get(url).status_code == 404
    response = admin_client.post(url, _revert_data(other, name="改名"))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "区建设局" and other.district == world.district_b
    history = reverse("admin:org_department_history", args=[other.pk])
    assert admin_client.get(history).status_code == 404


def test_a_revert_of_an_own_record_keeps_its_district(admin_client, world):
    own = world.dept_works_a
    old_version = _version(own)
    own.name = "区住房和城乡建设局"
    own.save()
    # An old version that (as the attacker's revert did) names another district.
    own.history.filter(history_id=old_version).update(district_id=world.district_b.pk)
    url = reverse("admin:org_department_simple_history", args=[own.pk, old_version])
    response = admin_client.post(url, _revert_data(own, name="区建设局"))
    assert response.status_code == 302, response.content.decode()[:500]
    own.refresh_from_db()
    assert own.name == "区建设局"
    assert own.district == world.district_a


def test_a_read_only_record_cannot_be_reverted(admin_client, world):
    case = world.case_a
    url = reverse("admin:approvals_approvalcase_simple_history", args=[case.pk, _version(case)])
    assert admin_client.get(url).status_code == 200  # the version is shown
    assert admin_client.post(url, {}).status_code == 403


def test_the_district_is_read_only_on_change_even_for_a_superuser(root_client, world):
    department = world.dept_works_a
    url = reverse("admin:org_department_change", args=[department.pk])
    html = root_client.get(url).content.decode()
    assert 'name="district"' not in html
    response = root_client.post(
        url, _revert_data(department, name="区建设局", district=world.district_b.pk)
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.district == world.district_a
    # On add, the superuser chooses the district.
    assert (
        'name="district"' in root_client.get(reverse("admin:org_department_add")).content.decode()
    )


def test_the_event_log_shows_only_the_districts_events(admin_client, world):
    def event(district, summary):
        project = world.project1_a if district == world.district_a else world.project1_b
        return DomainEvent.objects.create(
            verb="project.updated",
            summary=summary,
            district=district,
            content_type_id=_content_type(project),
            object_id=project.pk,
        )

    own = event(world.district_a, "本区事件")
    other = event(world.district_b, "他区事件")
    page = admin_client.get(reverse("admin:core_domainevent_changelist")).content.decode()
    assert "本区事件" in page and "他区事件" not in page
    assert (
        admin_client.get(reverse("admin:core_domainevent_change", args=[own.pk])).status_code == 200
    )
    assert (
        admin_client.get(reverse("admin:core_domainevent_change", args=[other.pk])).status_code
        == 404
    )


def _content_type(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def _user_form(user, groups):
    return {
        "username": user.username,
        "real_name": user.real_name,
        "is_active": "on",
        "groups": [g.pk for g in groups],
        "rank": user.rank,
        "title": user.title,
        "phone": user.phone,
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-06-15",
        "date_joined_1": "10:00:00",
    }


def _role_options(client, user) -> str:
    html = client.get(reverse("admin:org_user_change", args=[user.pk])).content.decode()
    match = re.search(r'<select name="groups".*?</select>', html, re.S)
    return match.group(0) if match else ""


def test_a_district_admin_is_offered_no_reserved_role(admin_client, world):
    target = world.user_bureau
    html = admin_client.get(reverse("admin:org_user_change", args=[target.pk])).content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions"):
        assert f'name="{field}"' not in html
    html = _role_options(admin_client, target)
    city, admin_group = Group.objects.get(name="city"), Group.objects.get(name="admin")
    bureau = Group.objects.get(name="bureau")
    assert f'value="{bureau.pk}"' in html
    assert f'value="{city.pk}"' not in html and f'value="{admin_group.pk}"' not in html


@override_settings(LANGUAGE_CODE="en")
@pytest.mark.parametrize("role", ["city", "admin"])
def test_a_crafted_grant_of_a_reserved_role_is_refused(admin_client, world, role):
    target = world.user_bureau
    groups = [Group.objects.get(name="bureau"), Group.objects.get(name=role)]
    data = _user_form(target, groups) | {"is_staff": "on", "is_superuser": "on"}
    response = admin_client.post(
        reverse("admin:org_user_change", args=[target.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Only a city administrator (a superuser) may grant the role" in str(errors["groups"])
    target.refresh_from_db()
    assert not target.is_staff and not target.is_superuser
    assert set(target.groups.values_list("name", flat=True)) == {"bureau"}


def test_a_district_admin_gives_ordinary_roles_and_keeps_their_own(admin_client, world):
    target = world.user_bureau
    groups = [Group.objects.get(name="bureau"), Group.objects.get(name="leader")]
    response = admin_client.post(
        reverse("admin:org_user_change", args=[target.pk]), _user_form(target, groups)
    )
    assert response.status_code == 302
    assert set(target.groups.values_list("name", flat=True)) == {"bureau", "leader"}
    # Their own page: the admin role they hold stays theirs; nothing more can be added.
    html = _role_options(admin_client, world.user_admin)
    assert f'value="{Group.objects.get(name="admin").pk}"' in html
    assert f'value="{Group.objects.get(name="city").pk}"' not in html


def test_other_administrators_and_other_districts_users_are_out_of_reach(admin_client, world):
    fellow = User.objects.create(username="admin2", district=world.district_a, is_staff=True)
    fellow.groups.add(Group.objects.get(name="admin"))
    change = reverse("admin:org_user_change", args=[fellow.pk])
    assert admin_client.get(change).status_code == 200  # shown read-only
    assert admin_client.post(change, _user_form(fellow, [])).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[fellow.pk])
    assert admin_client.get(password).status_code == 403
    other = world.user_bureau_b
    for name in ("org_user_change", "org_user_delete", "org_user_history"):
        assert admin_client.get(reverse(f"admin:{name}", args=[other.pk])).status_code == 404
    assert (
        admin_client.get(reverse("admin:auth_user_password_change", args=[other.pk])).status_code
        == 404
    )


def test_a_superuser_grants_the_city_role(root_client, world):
    target = world.user_bureau
    groups = [Group.objects.get(name="city")]
    response = root_client.post(
        reverse("admin:org_user_change", args=[target.pk]),
        _user_form(target, groups) | {"is_staff": "on"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_staff and set(target.groups.values_list("name", flat=True)) == {"city"}


def test_filters_of_a_district_admin_list_only_their_district(admin_client, world):
    Zone.objects.create(district=world.district_a, code="Z2", name="西城片区", area_km2=1)
    page = admin_client.get(reverse("admin:org_park_changelist")).content.decode()
    assert f"zone__id__exact={world.zone_a.pk}" in page
    assert f"zone__id__exact={world.zone_b.pk}" not in page


def test_new_records_of_a_district_admin_are_theirs(admin_client, world):
    response = admin_client.post(
        reverse("admin:org_department_add"),
        {"name": "区商务局", "short_name": "商务局", "kind": "government", "sort_order": 100},
    )
    assert response.status_code == 302
    assert Department.objects.get(name="区商务局").district == world.district_a


def test_an_action_reaches_only_the_districts_records(admin_client, world):
    own = Zone.objects.create(district=world.district_a, code="Z9", name="待删片区", area_km2=1)
    other = world.zone_b
    response = admin_client.post(
        reverse("admin:org_zone_changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk, other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Zone.objects.filter(pk=own.pk).exists()
    assert Zone.objects.filter(pk=other.pk).exists()


def test_new_accounts_get_their_district_when_made(admin_client, world, password):
    add = reverse("admin:org_user_add")
    assert 'name="district"' not in admin_client.get(add).content.decode()
    data = {
        "username": "clerk1",
        "usable_password": "true",
        "password1": password,
        "password2": password,
        "real_name": "办事员",
    }
    assert admin_client.post(add, data).status_code == 302
    assert User.objects.get(username="clerk1").district == world.district_a


def test_a_superuser_chooses_the_district_of_a_new_account(root_client, world, password):
    add = reverse("admin:org_user_add")
    assert 'name="district"' in root_client.get(add).content.decode()
    data = {
        "username": "clerk2",
        "usable_password": "true",
        "password1": password,
        "password2": password,
        "district": world.district_b.pk,
    }
    assert root_client.post(add, data).status_code == 302
    assert User.objects.get(username="clerk2").district == world.district_b


def test_an_unscoped_admin_fails_the_system_check(monkeypatch):
    from django.contrib import admin as django_admin

    from zhaoshang.core.admin_base import ScopedAdmin, check_admin_scoping
    from zhaoshang.notifications.models import OutboxMessage

    assert not check_admin_scoping()
    registry = dict(django_admin.site._registry)
    registry[OutboxMessage] = django_admin.ModelAdmin(OutboxMessage, django_admin.site)
    monkeypatch.setattr(django_admin.site, "_registry", registry)
    assert [e.id for e in check_admin_scoping()] == ["zhaoshang.E100"]

    class Unplaced(ScopedAdmin):
        pass  # OutboxMessage reaches its district through two relations: it must say how

    registry[OutboxMessage] = Unplaced(OutboxMessage, django_admin.site)
    assert [e.id for e in check_admin_scoping()] == ["zhaoshang.E101"]


@override_settings(LANGUAGE_CODE="en")
def test_a_superuser_cannot_mix_districts_in_a_record(root_client, world):
    response = root_client.post(
        reverse("admin:org_park_add"),
        {
            "district": world.district_a.pk,
            "zone": world.zone_b.pk,
            "code": "P9",
            "name": "混合园区",
            "area_km2": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "It belongs to another district." in str(
        response.context["adminform"].form.errors["zone"]
    )
    assert not Park.objects.filter(code="P9").exists()


def test_view_on_site_answers_only_for_records_in_scope(admin_client, world):
    """/admin/r/<type>/<id>/ redirects to an own record's page; for another district's
    record it is a 404, like the change page, so it cannot tell that the record exists."""
    from django.contrib.contenttypes.models import ContentType

    from zhaoshang.projects.models import Project

    ct = ContentType.objects.get_for_model(Project).pk
    own = admin_client.get(f"/admin/r/{ct}/{world.project1_a.pk}/")
    assert own.status_code == 302 and own["Location"].endswith(world.project1_a.get_absolute_url())
    assert admin_client.get(f"/admin/r/{ct}/{world.project1_b.pk}/").status_code == 404
    assert admin_client.get(f"/admin/r/{ct}/999999999/").status_code == 404
    assert admin_client.get(f"/admin/r/{ct}/not-a-number/").status_code == 404
    assert admin_client.get(f"/admin/r/999999/{world.project1_a.pk}/").status_code == 404
