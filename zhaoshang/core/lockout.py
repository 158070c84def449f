"""Log-in lock-out (django-axes), shared by the log-in page and ``POST /api/v1/auth/token/``.

Two limits, both kept in the database (``axes.AccessAttempt``), so they hold across every
server process and restart:

- a **username + address pair** is locked after ``AXES_FAILURE_LIMIT`` failures within the
  cool-off period: one person's wrong passwords never lock a colleague out, even when the
  whole office reaches the platform through the same proxy address;
- an **address** is locked after ``AXES_ADDRESS_FAILURE_LIMIT`` failures across any usernames
  (password spraying), a higher limit so an office behind one address keeps working.

A successful log-in resets its own pair (``AXES_RESET_ON_SUCCESS``).
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


class PairAndAddressHandler(AxesDatabaseHandler):
    """The database handler with a second, per-address limit.

    axes compares one failure count with one limit; the count returned here is the pair's,
    raised to the pair's limit when the address has reached its own limit, and the request
    is marked ``address_locked_out`` so the answer can say which limit was hit."""

    def address_failures(self, request) -> int:
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if get_cool_off(request) is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if pair >= limit:
            return pair
        address_limited = self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT
        request.address_locked_out = address_limited
        return limit if address_limited else pair


def lockout_minutes(request=None) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def lockout_response(request, original_response=None, credentials=None):
    """The log-in page's answer when locked out (429): which limit, and for how long."""
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "address_locked_out": getattr(request, "address_locked_out", False),
            "minutes": lockout_minutes(request),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
