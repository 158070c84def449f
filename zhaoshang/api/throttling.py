"""API throttles whose counts every server process shares (the ``limits`` cache), keyed on
the client address read by ``zhaoshang.core.clientip.client_ip``."""

from __future__ import annotations

from django.core.cache import caches
from rest_framework.throttling import ScopedRateThrottle

from zhaoshang.core.clientip import client_ip


class SharedScopedRateThrottle(ScopedRateThrottle):
    @property
    def cache(self):  # read on use, so a test's settings override reaches it
        return caches["limits"]

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"
