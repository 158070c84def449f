"""Enterprise users live in the portal; the staff pages are not theirs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from zhaoshang.core import datastamp, roles

# Paths an enterprise user may reach.
ENTERPRISE_PREFIXES = (
    "/portal/",
    "/inbox/",
    "/accounts/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/api/",
    "/verify/",  # the public check of an inspection code, and the enterprise's rating
)


class PortalBoundaryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and roles.is_enterprise(user):
            path = request.path
            if path == "/":
                return redirect("portal:home")
            if not path.startswith(ENTERPRISE_PREFIXES):
                raise PermissionDenied
        return self.get_response(request)


class DataStampMiddleware:
    """The writes of a request are named for its person's district (``core.datastamp``): the
    kept pages of the other districts stay kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with datastamp.attributed(request):
            return self.get_response(request)
