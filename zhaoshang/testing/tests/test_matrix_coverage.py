"""Every page route of the site is in a permission matrix: the platform's table
(``core/tests/test_permission_matrix.py``) or an app's own. Generated from the URL resolver,
so a new route without an entry fails here and nothing is hand-picked or forgotten."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

NOT_PAGES = {
    "admin_view_on_site",  # part of the admin: its matrix covers it
    "healthz",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "set_language",
}


def _tables() -> dict[str, object]:
    """{app: its matrix module} for every app of the project that has one."""
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("zhaoshang."):
            continue
        name = f"{config.name}.tests.test_permission_matrix"
        try:
            found[config.label] = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not name.startswith(exc.name or "\0"):
                raise
    return found


def _page_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin" or str(p.pattern).startswith(("api/", "i18n/")):
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_page_route_is_in_the_matrix():
    covered = set().union(*(set(module.ROUTES) for module in _tables().values()))
    missing = _page_route_names() - covered - NOT_PAGES
    assert not missing, f"add these routes to a permission matrix: {sorted(missing)}"


def test_every_table_generates_its_matrix():
    tables = _tables()
    assert {"core", "land", "service", "agreements"} <= set(tables)
    for label, module in tables.items():
        assert callable(getattr(module, "test_permission_matrix", None)), label
