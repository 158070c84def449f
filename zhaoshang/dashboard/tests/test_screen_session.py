"""A wall screen left on for days keeps its viewer logged in: the screen's page and its poll
renew the session (a later expiry, the cookie sent again) at most once an hour; the other
pages keep the session's fixed expiry. Time is frozen on Monday 2026-06-15 10:00."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

HOUR = datetime.timedelta(hours=1)
AGE = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def _logged_in(world) -> tuple[Client, str]:
    client = Client()
    client.force_login(world.user_leader)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def _expiry(key: str) -> datetime.datetime:
    return Session.objects.get(session_key=key).expire_date


def test_the_screens_poll_renews_the_session_once_an_hour(world, _frozen_time):
    client, key = _logged_in(world)
    logged_in_until = _expiry(key)
    _frozen_time.shift(AGE - HOUR)  # an hour before the session would end
    response = client.get(reverse("screen_data"))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME in response.cookies  # the cookie's age renewed too
    renewed = _expiry(key)
    assert renewed - logged_in_until >= AGE - HOUR - datetime.timedelta(seconds=1)
    # Polled every minute: one write an hour, not one per poll.
    _frozen_time.shift(datetime.timedelta(minutes=1))
    response = client.get(reverse("screen_data"))
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert _expiry(key) == renewed
    # Two days later (the screen polled all along), the session is alive.
    for _hour in range(48):
        _frozen_time.shift(HOUR)
        assert client.get(reverse("screen_data")).status_code == 200
    assert client.get(reverse("screen")).status_code == 200


def test_other_pages_keep_the_sessions_expiry(world, _frozen_time):
    client, key = _logged_in(world)
    logged_in_until = _expiry(key)
    _frozen_time.shift(HOUR)
    assert client.get(reverse("home")).status_code == 200
    assert _expiry(key) == logged_in_until


def test_a_poll_whose_session_ended_goes_to_the_log_in_page(world, _frozen_time):
    """The screen's script reloads the page when its poll is sent to the log-in page."""
    client, _key = _logged_in(world)
    _frozen_time.shift(AGE + HOUR)  # the screen was off longer than a session lasts
    response = client.get(reverse("screen_data"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
