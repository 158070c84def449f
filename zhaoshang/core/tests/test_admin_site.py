"""The project's admin site (``core.admin_site``): its app list is Django's, for every kind of
user, in each language and as permissions change, while its URLs and order are laid out once
per process."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from zhaoshang.core import admin_site as admin_site_module
from zhaoshang.core.admin_site import ProjectAdminSite


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _djangos(request, app_label=None):
    """What Django's own AdminSite builds for the same registry."""
    return AdminSite.get_app_list(admin.site, request, app_label)


def _plain(app_list):
    """The list with its lazy names rendered (in the active language)."""
    return [
        {
            **app,
            "name": str(app["name"]),
            "models": [{**m, "name": str(m["name"])} for m in app["models"]],
        }
        for app in app_list
    ]


@pytest.fixture
def users(world):
    from zhaoshang.org.models import User

    User.objects.filter(username="admin").update(is_staff=True)
    root = User.objects.create(username="root", is_staff=True, is_superuser=True)
    staff_bureau = User.objects.get(username="bureau")
    staff_bureau.is_staff = True  # staff, but no admin role: nothing to list
    staff_bureau.save(update_fields=["is_staff"])
    # Staff with one model's permission: the app's module permission, not its other models'.
    clerk = User.objects.create(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_district"))
    return {
        "superuser": root,
        "clerk": clerk,
        "admin": User.objects.get(username="admin"),
        "bureau": User.objects.get(username="bureau"),
    }


def test_admin_site_is_the_projects():
    assert isinstance(admin.site, ProjectAdminSite)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_app_list_is_djangos_for_every_user(users, language):
    with translation.override(language):
        for who, user in users.items():
            ours = _plain(admin.site.get_app_list(_request(user)))
            assert ours == _plain(_djangos(_request(user))), who
            if who == "bureau":
                assert ours == []
            elif who == "clerk":
                assert [(a["app_label"], m["object_name"]) for a in ours for m in a["models"]] == [
                    ("org", "District")
                ]
            else:
                assert ours, who
        superuser, district_admin = (
            admin.site.get_app_list(_request(users[w])) for w in ("superuser", "admin")
        )
        assert sum(len(a["models"]) for a in superuser) > sum(
            len(a["models"]) for a in district_admin
        )


def test_one_apps_list_is_djangos(users):
    for label in ("org", "projects", "no_such_app"):
        for user in users.values():
            request = _request(user)
            got = admin.site.get_app_list(request, label)
            assert _plain(got) == _plain(_djangos(_request(user), label))
            assert all(app["app_label"] == label for app in got)


def test_the_order_follows_the_language(users):
    """The layout is kept per language: the same user's list is sorted by the names in
    each language, as Django sorts it."""
    request = _request(users["superuser"])
    orders = {}
    for language in ("zh-hans", "en", "zh-hans"):
        with translation.override(language):
            names = [str(app["name"]) for app in admin.site.get_app_list(request)]
            assert names == [str(app["name"]) for app in _djangos(request)]
            orders.setdefault(language, names)
            assert orders[language] == names
    assert orders["zh-hans"] != orders["en"]


def test_a_permission_withdrawn_shows_on_the_next_page(users):
    """Only the layout is kept: what the user may do is asked on every call."""
    from zhaoshang.org.models import User

    district_admin = users["admin"]
    assert admin.site.get_app_list(_request(district_admin))
    User.objects.filter(pk=district_admin.pk).update(is_staff=False)
    again = User.objects.get(pk=district_admin.pk)  # (a new request reads the user anew)
    assert admin.site.get_app_list(_request(again)) == []
    assert _djangos(_request(again)) == []


def test_the_urls_and_order_are_laid_out_once(users):
    """The second page reverses no URL (Django reversed two per model on each page)."""
    site = ProjectAdminSite()
    for model, model_admin in admin.site._registry.items():
        site._registry[model] = model_admin
    request = _request(users["superuser"])
    first = site.get_app_list(request)
    with mock.patch.object(admin_site_module, "reverse", side_effect=AssertionError):
        again = site.get_app_list(request)
    assert _plain(again) == _plain(first)
    assert first[0]["app_url"] == reverse("admin:app_list", args=[first[0]["app_label"]])


def test_a_model_registered_later_is_listed(users):
    """The layout is per registry: a model registered (or unregistered) after the first
    page is listed (or not) on the next."""
    from zhaoshang.org.models import User

    site = ProjectAdminSite()
    request = _request(users["superuser"])
    assert site.get_app_list(request) == []
    site.register(User)
    listed = site.get_app_list(request)
    assert [m["object_name"] for a in listed for m in a["models"]] == ["User"]
    site.unregister(User)
    assert site.get_app_list(request) == []
