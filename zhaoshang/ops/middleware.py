"""The health probe answers before anything else can turn it away."""

from __future__ import annotations


class HealthCheckMiddleware:
    """``/healthz`` is answered first in the chain: a load balancer or monitor probes it over
    plain HTTP, by the server's address rather than its name, without a session — so neither
    the HTTPS redirect, nor ``ALLOWED_HOSTS``, nor the portal boundary may stand in its way.
    (``SECURE_REDIRECT_EXEMPT`` says the same for the redirect, should this middleware be
    left out.)"""

    PATH = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.PATH and request.method in ("GET", "HEAD"):
            from zhaoshang.core.views import healthz

            return healthz(request)
        return self.get_response(request)
