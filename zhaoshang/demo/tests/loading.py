"""The demo city for the tests of its parts: loaded once per test module at DEMO_NOW, inside
a transaction that is rolled back afterwards (each test still runs in its own savepoint)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import override_settings
from django.utils import timezone

from zhaoshang.demo.builder import ACCOUNT_USERNAMES
from zhaoshang.demo.tests.test_load_demo import DEMO_NOW
from zhaoshang.org.models import User


@contextmanager
def loaded_demo(django_db_blocker, media) -> Iterator[datetime.date]:
    """Load the demo (the test world's accounts step aside: their names are the demo's);
    yields the demo's today."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(DEMO_NOW, tick=False),
        override_settings(MEDIA_ROOT=media),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            User.objects.filter(username__in=ACCOUNT_USERNAMES).update(
                username=Concat("username", Value("@world"))
            )
            call_command("load_demo", stdout=io.StringIO())
            yield timezone.localdate()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
