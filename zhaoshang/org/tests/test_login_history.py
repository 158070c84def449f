"""A log-in notes ``last_login`` but is no change of the person: no change-history row."""

from __future__ import annotations

import datetime

from django.contrib.auth.signals import user_logged_in
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhaoshang.org.models import User


def test_logging_in_sets_last_login_and_writes_no_history_row(world):
    user = world.user_bureau
    user.set_password("secret-pass-1")
    user.save()
    before = User.history.filter(id=user.pk).count()
    response = Client().post(
        reverse("login"), {"username": user.username, "password": "secret-pass-1"}
    )
    assert response.status_code == 302
    assert User.history.filter(id=user.pk).count() == before
    user.refresh_from_db()
    assert user.last_login == timezone.now()


def test_the_log_in_receiver_is_ours_alone():
    """Django's ``update_last_login`` (a full save, hence a history row) is not connected:
    ``org.models`` connected ours first, when Django imported the models."""
    from zhaoshang.org.logins import record_last_login

    receivers = [r() if callable(r) else r for _key, r, _async in user_logged_in.receivers]
    names = {getattr(r, "__qualname__", "") for r in receivers}
    assert "update_last_login" not in names
    assert record_last_login in receivers


def test_a_log_in_during_the_demo_replay_is_dated_by_the_clock(world):
    from zhaoshang.core import clock

    moment = timezone.make_aware(datetime.datetime(2026, 3, 2, 8, 45))
    with clock.at(moment):
        Client().force_login(world.user_bureau)
    world.user_bureau.refresh_from_db()
    assert world.user_bureau.last_login == moment
