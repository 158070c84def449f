"""Shared fixtures: the test world (built once per session), frozen time, clients per role."""

from __future__ import annotations

import pytest
import time_machine

from zhaoshang.core.testing import FROZEN_NOW, PASSWORD, World, build_world

_REFS: dict = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(FROZEN_NOW, tick=False):
        _REFS.update(build_world())


@pytest.fixture(autouse=True)
def _frozen_time(request):
    """Time is frozen in every test; browser tests let the clock tick."""
    tick = request.node.get_closest_marker("browser") is not None
    with time_machine.travel(FROZEN_NOW, tick=tick) as traveller:
        yield traveller


@pytest.fixture
def world(db) -> World:
    return World(_REFS)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def client_for(client, world):
    """client_for("bureau") → a test client logged in as that world user."""

    def make(username: str):
        from django.test import Client

        c = Client()
        c.force_login(getattr(world, f"user_{username}"))
        return c

    return make


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"
