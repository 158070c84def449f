"""Calendar tests: no recompute hook but the recorder, and a clean cache for the banner."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

HOOK = "zhaoshang.workdays.tests.conftest.record_hook"
CALLS: list[dict] = []


def record_hook(*, years):
    """A recompute hook: records its call and what the index says at that moment."""
    import datetime

    from zhaoshang.workdays.services import add_workdays

    CALLS.append({"years": years, "seen": add_workdays(datetime.date(2026, 12, 30), 3)})


@pytest.fixture(autouse=True)
def _isolated(settings):
    """No other app's hook, no cached banner, and messages in English (the catalogue's
    Chinese is checked by core's catalogue test)."""
    settings.WORKDAY_RECOMPUTE_HOOKS = []
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def client_for(client_for):
    """The root fixture's clients, reading pages in English."""

    def make(username: str):
        client = client_for(username)
        client.cookies[settings_language_cookie()] = "en"
        return client

    return make


def settings_language_cookie() -> str:
    from django.conf import settings

    return settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def hook_calls(settings):
    CALLS.clear()
    settings.WORKDAY_RECOMPUTE_HOOKS = [HOOK]
    yield CALLS
    CALLS.clear()
