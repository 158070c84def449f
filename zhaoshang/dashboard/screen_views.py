"""The big screen (驾驶舱, issue 18 point 4) at 1920×1080: ``/screen/`` renders every panel
(the tables read without JavaScript), ``/screen/data/`` serves the same figures as JSON to
``zs/screen.js``, which redraws them every minute. A district's user sees their district's
screen; a city user the city's (the districts side by side) or, with ``?district=<id>``,
one district's. Enterprise contacts and users without a district are refused (403).

A wall screen stays on for days: its page and its poll renew the viewer's session (its
expiry and cookie) once an hour (``keep_alive``), so the four-hourly reload does not land on
the login page; other pages keep the session's fixed expiry.

Both read the screen's figures inside ``core.replica.reading()``: from the read replica when
``DATABASE_REPLICA_URL`` is set (the session and the user come from the primary first)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from zhaoshang.core import clock, roles
from zhaoshang.core.replica import reading
from zhaoshang.core.services import require
from zhaoshang.dashboard import screen
from zhaoshang.org.models import District

REFRESH_SECONDS = 60
RELOAD_SECONDS = 4 * 60 * 60  # a full reload every four hours guards the browser's memory
PAGE_SECONDS = 8  # the red list and the changes turn a page this often
KEEP_ALIVE_SECONDS = 60 * 60  # the screen renews its session at most this often
ALIVE_KEY = "screen_alive"  # the session's record of the last renewal (a Unix time)


def keep_alive(request) -> None:
    """Renew the session while a screen shows it: changing the session makes Django save it
    with a new expiry (now + SESSION_COOKIE_AGE) and send the cookie again. At most once an
    hour, not a session write per poll."""
    now = int(clock.now().timestamp())
    if now - request.session.get(ALIVE_KEY, 0) >= KEEP_ALIVE_SECONDS:
        request.session[ALIVE_KEY] = now


def _scope(request) -> tuple[int | None, screen.ScreenForm | None]:
    """The district shown (None: the city's screen) and the city's form (with its errors)."""
    user = request.user
    if not roles.sees_all_districts(user):
        return user.district_id, None
    form = screen.ScreenForm(request.GET or None)
    if form.is_bound and form.is_valid() and form.cleaned_data["district"] is not None:
        return form.cleaned_data["district"].pk, form
    return None, form


def _messages(form) -> list[str]:
    """Each error naming its field (区县：…)."""
    return [
        f"{form.fields[name].label}：{message}"
        for name, messages in form.errors.items()
        for message in messages
    ]


@login_required
@never_cache
def page(request):
    user = request.user
    require(screen.may_view(user))
    keep_alive(request)
    district_id, form = _scope(request)
    query = f"?district={district_id}" if form is not None and district_id else ""
    errors = _messages(form) if form is not None and form.is_bound and not form.is_valid() else None
    with reading():  # the read replica, when there is one (core.replica)
        context = {
            "data": screen.build(user, district_id),
            "data_url": reverse("screen_data") + query,
            "refresh": REFRESH_SECONDS,
            "reload": RELOAD_SECONDS,
            "page_seconds": PAGE_SECONDS,
            "errors": errors,
            "districts": (
                list(District.objects.order_by("id").values("id", "name"))
                if roles.sees_all_districts(user)
                else None
            ),
        }
        return render(request, "dashboard/screen.html", context, status=400 if errors else 200)


@login_required
@never_cache
def data(request):
    user = request.user
    require(screen.may_view(user))
    keep_alive(request)
    district_id, form = _scope(request)
    if form is not None and form.is_bound and not form.is_valid():
        return JsonResponse(
            {"errors": _messages(form)},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    with reading():  # the read replica, when there is one (core.replica)
        figures = screen.build(user, district_id)
    return JsonResponse(figures, json_dumps_params={"ensure_ascii": False})
