"""Fixtures of the API tests."""

from __future__ import annotations

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Throttle history lives in the ``limits`` cache (a database table in tests, emptied with
    each test's transaction) and time is frozen; the default cache is cleared too."""
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def api_for(client_for):
    """api_for("bureau") → a session client of that world user sending JSON."""

    class JsonClient:
        def __init__(self, client):
            self.client = client

        def get(self, url, data=None, **extra):
            return self.client.get(url, data, **extra)

        def post(self, url, data=None, **extra):
            return self.client.post(url, data, content_type="application/json", **extra)

        def put(self, url, data=None, **extra):
            return self.client.put(url, data, content_type="application/json", **extra)

        def patch(self, url, data=None, **extra):
            return self.client.patch(url, data, content_type="application/json", **extra)

        def delete(self, url, **extra):
            return self.client.delete(url, **extra)

    def make(username: str) -> JsonClient:
        return JsonClient(client_for(username))

    return make
