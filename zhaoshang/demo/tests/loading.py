"""The demo city for the tests of its parts, loaded ONCE for the whole test package.

Loading the demo city takes long, so ``zhaoshang/demo/tests/conftest.py`` holds it for the
package: the first test that asks for it loads it at DEMO_NOW, inside a transaction that stays
open while the package's tests run and is rolled back when the package is done, so the rest of
the suite never sees it. Each test still runs in its own savepoint (pytest-django's ``db``).
The test world of the root conftest.py uses the role names (admin, bureau …) for its own
users; they step aside (renamed ``…@world``) while the demo is loaded.

Tests ask for it through the package's fixtures (``today``, ``demo``, ``demo_db``,
``demo_city``). ``loaded_demo`` is the older way, a module fixture's context manager: inside
the package it hands out the same shared load.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import override_settings
from django.utils import timezone

from zhaoshang.demo.builder import ACCOUNT_USERNAMES, DEMO_CODE
from zhaoshang.demo.tests.test_load_demo import DEMO_NOW
from zhaoshang.org.models import District, User
from zhaoshang.testing.database import fingerprint

#: The MEDIA_ROOT (under pytest's base temporary directory) of the package's demo files.
DEMO_MEDIA = "media-demo"


@dataclass(frozen=True)
class DemoCity:
    today: datetime.date  # the demo's today (DEMO_NOW's date)
    output: str  # what load_demo printed
    media: Path  # the MEDIA_ROOT its files are stored in
    # every table's rows just before the load (testing.database.fingerprint): what a reset's
    # removal of the demo must leave
    blank: dict = field(default_factory=dict, repr=False, compare=False)


@contextmanager
def _demo_loaded(django_db_blocker, media: Path) -> Iterator[DemoCity]:
    """Load the demo in a transaction of its own; roll it back on exit. The database is
    blocked again in between: the tests reach it through ``db`` (a savepoint)."""
    with django_db_blocker.unblock():
        if connection.in_atomic_block:
            raise RuntimeError(
                "The demo city must be loaded outside any transaction (ask for it through a "
                "package- or module-scoped fixture, before the test's own database access)."
            )
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        with (
            django_db_blocker.unblock(),
            time_machine.travel(DEMO_NOW, tick=False),
            override_settings(MEDIA_ROOT=media),
        ):
            User.objects.filter(username__in=ACCOUNT_USERNAMES).update(
                username=Concat("username", Value("@world"))
            )
            blank = fingerprint()
            out = io.StringIO()
            call_command("load_demo", stdout=out)
            # The load's foreign keys checked now, once: on PostgreSQL they are deferred to
            # the end of the package's transaction, and every test's teardown (Django's
            # ``TestCase`` checks the constraints before rolling its savepoint back) fired
            # all of them again — its savepoint's rollback puts them back in the queue —
            # 0.5–1.7 s a test.
            connection.check_constraints()
            city = DemoCity(
                today=timezone.localdate(), output=out.getvalue(), media=media, blank=blank
            )
        yield city
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            # Nothing of the demo is left for the rest of the suite.
            leaked = District.objects.filter(code=DEMO_CODE).exists() or (
                User.objects.filter(username__endswith="@world").exists()
            )
        if leaked:
            raise RuntimeError("The demo city was not rolled back after its tests.")


class _Package:
    """The package's hold on the demo: loaded on first use, rolled back when closed."""

    def __init__(self, django_db_blocker, media: Path):
        self.blocker = django_db_blocker
        self.media = media
        self.city: DemoCity | None = None
        self.error: BaseException | None = None
        self._held = None

    def city_loaded(self) -> DemoCity:
        if self.error is not None:
            raise RuntimeError("Loading the demo city failed (see the first error).")
        if self.city is None:
            held = _demo_loaded(self.blocker, self.media)
            try:
                self.city = held.__enter__()
            except BaseException as exc:
                self.error = exc
                raise
            self._held = held
        return self.city

    def close(self) -> None:
        held, self._held, self.city = self._held, None, None
        if held is not None:
            held.__exit__(None, None, None)


_package: _Package | None = None


@contextmanager
def package_demo(django_db_blocker, media: Path) -> Iterator[_Package]:
    """For the package's conftest: while open, the demo is loaded at most once."""
    global _package
    if _package is not None:
        raise RuntimeError("The demo package is held already.")
    _package = _Package(django_db_blocker, media)
    try:
        yield _package
    finally:
        package, _package = _package, None
        package.close()


def shared_demo() -> DemoCity:
    """The package's demo city, loaded by the first test that asks for it."""
    if _package is None:
        raise RuntimeError("The shared demo city is only for the tests in zhaoshang/demo/tests.")
    return _package.city_loaded()


def _link_media(media: Path, shared: Path) -> None:
    """Make a module's own MEDIA_ROOT show the shared demo's files."""
    media, shared = Path(media), Path(shared)
    if media == shared or (media.is_symlink() and media.resolve() == shared.resolve()):
        return
    if media.is_dir() and not media.is_symlink() and not any(media.iterdir()):
        media.rmdir()
    if media.exists() or media.is_symlink():
        raise RuntimeError(
            f"{media} exists already: use the shared {shared} (settings.MEDIA_ROOT)."
        )
    shared.mkdir(parents=True, exist_ok=True)
    media.parent.mkdir(parents=True, exist_ok=True)
    media.symlink_to(shared, target_is_directory=True)


@contextmanager
def loaded_demo(django_db_blocker, media) -> Iterator[datetime.date]:
    """The demo loaded; yields the demo's today. Inside the package this is the package's one
    load (``media`` then shows its files); elsewhere a load of its own, rolled back on exit."""
    if _package is not None:
        city = shared_demo()
        _link_media(media, city.media)
        yield city.today
        return
    with _demo_loaded(django_db_blocker, Path(media)) as city:
        yield city.today
