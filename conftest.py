"""Shared fixtures: the test world (built once per session), frozen time, clients per role.

The test database is made from the models, not by running the migrations, and then given
what the migrations seed (``zhaoshang/testing/database.py``); one test runs the real
migrations (``zhaoshang/testing/tests/test_migrations.py``).
"""

from __future__ import annotations

import functools
import gc
import re
from pathlib import Path

import pytest
import time_machine
from pytest_django import fixtures as pytest_django_fixtures

from zhaoshang.testing import FROZEN_NOW, PASSWORD, World, build_world
from zhaoshang.testing.clients import SESSIONS, client_with_session, open_sessions
from zhaoshang.testing.database import TableSnapshot, seed_as_migrations_do, skip_migrations
from zhaoshang.testing.shared import module_transaction

# The cyclic garbage collector, less often: with Django and the project loaded, each of its
# full passes walks millions of objects, and at Python's default thresholds (700, 10, 10) a
# test process spent ~10% of its CPU in them. Refcounting frees nearly everything a test
# makes; cycles wait for a pass every 50,000 net allocations (a young pass), 1,000,000 (a
# middle one), and rarely a full one. Nothing a test checks depends on when cycles go.
GC_THRESHOLDS = (50_000, 20, 100)
gc.set_threshold(*GC_THRESHOLDS)

_REFS: dict = {}
_SESSIONS: dict[str, str] = SESSIONS
_SNAPSHOTS: dict[str, TableSnapshot] = {}


def pytest_configure(config):
    """Test-only settings: WhiteNoise finds a static file when asked instead of indexing
    every static file for each new test client (production indexes once at start-up), and
    passwords are hashed with a fast hasher (only the world's and a few tests' logins), and
    pages are not kept (core.pagecache)."""
    from django.conf import settings

    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages are built for every request: the tests look at what a view builds (its context,
    # its queries); the kept pages have their own tests (``kept_pages``).
    settings.PAGE_CACHE = False


def _databases_for_test(test):
    """pytest-django sets up only the databases that the collected tests ask for (through
    ``db``, ``transactional_db``, ``live_server`` or a marker); ``committed_db`` asks for the
    default database too, so that a concurrency or browser test also runs on its own."""
    if "committed_db" in getattr(test, "fixturenames", ()):
        return ("default",), False
    return _original_databases_for_test(test)


_original_databases_for_test = pytest_django_fixtures._get_databases_for_test
pytest_django_fixtures._get_databases_for_test = _databases_for_test


_DEMO_TESTS = "zhaoshang/demo/tests/"
_MIGRATION_TESTS = "zhaoshang/testing/tests/test_migrations.py"

_LONGEST_FIRST = (
    _MIGRATION_TESTS,
    _DEMO_TESTS,
    "zhaoshang/api/tests/test_schemathesis.py",  # one test of ~100 s: not last on a worker
)
# Units run as one, on one worker: the demo package (the demo city is loaded once, see its
# conftest.py) and the migrations' module (its two ways of migrating, minutes, are made once
# for the module's tests: split over two workers they were made twice).
_TOGETHER = (_DEMO_TESTS, _MIGRATION_TESTS)


def _order(item) -> int:
    if item.nodeid.startswith(_LONGEST_FIRST):
        return 0
    if "browser_page" in getattr(item, "fixturenames", ()):
        return 1
    if item.get_closest_marker("browser") is not None:  # a browser of its own
        return 2
    if _builds_once_per_module(item.path):  # one unit of many tests (see the scheduler)
        return 3
    return 4


def pytest_collection_modifyitems(items):
    """The longest units first (the migrations run from zero; the demo city, loaded once; the
    API's schema walk), then the browser tests (seconds each), one after the other (those
    of ``browser_page`` share a Chromium), then the modules that go to a worker whole
    (``_BUILDS_ONCE``: a permission matrix is one unit of seconds to a minute), so that with
    -n the workers end together on short tests instead of one finishing a long unit alone."""
    items.sort(key=_order)


# A test module that builds its objects once (``module_world``, ``built_once_per_module``
# or a module-scoped fixture of its own: a permission matrix, a query-count module) built
# them once on each worker when its tests were balanced one by one: seconds each, twice.
_BUILDS_ONCE = re.compile(r"""scope=["']module["']|\bmodule_world\b|\bbuilt_once_per_module\b""")


@functools.cache
def _builds_once_per_module(path: Path) -> bool:
    try:
        return _BUILDS_ONCE.search(path.read_text(encoding="utf-8")) is not None
    except OSError:
        return False


def pytest_xdist_make_scheduler(config, log):
    """With -n (xdist's default --dist load): the tests of zhaoshang/demo/tests, and those of
    the migrations' module, each go to one worker as one unit, one after the other (see
    ``_TOGETHER``); so do the tests of a module that builds its objects once per module
    (``_BUILDS_ONCE``: built once, not once on each worker); the other tests are balanced
    one by one. (xdist's own --dist loadgroup does not group under pytest 9: it renames the
    nodes through an attribute pytest no longer reads.)"""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    root = config.rootpath
    # The units in the order collected (longest first, see pytest_collection_modifyitems),
    # not reordered by their number of tests.
    config.option.loadscopereorder = False

    class TogetherScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for unit in _TOGETHER:
                if nodeid.startswith(unit):
                    return unit
            module = nodeid.split("::", 1)[0]
            if module.endswith(".py") and _builds_once_per_module(root / module):
                return module
            return nodeid

    return TogetherScheduling(config, log)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test databases are made from the models (see ``django_db_setup``)."""
    from django.conf import settings
    from django.db import connections

    skip_migrations(settings.DATABASES)
    skip_migrations({conn.alias: conn.settings_dict for conn in connections.all()})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock():
        seed_as_migrations_do(connection)
        with time_machine.travel(FROZEN_NOW, tick=False):
            _REFS.update(build_world())
            world = World(_REFS)
            _SESSIONS.update(open_sessions(getattr(world, n) for n in world.names("user_")))


@pytest.fixture(autouse=True)
def _frozen_time(request):
    """Time is frozen in every test; browser tests let the clock tick."""
    tick = request.node.get_closest_marker("browser") is not None
    with time_machine.travel(FROZEN_NOW, tick=tick) as traveller:
        yield traveller


@pytest.fixture
def world(db) -> World:
    return World(_REFS)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker) -> World:
    """The world for building a module's objects once (``zhaoshang/testing/shared.py``):
    the module's transaction is open while the module's tests run, and rolled back after."""
    with module_transaction(django_db_blocker):
        yield World(_REFS)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def client_for(world):
    """client_for("bureau") → a new test client logged in as that world user (carrying the
    session opened for them when the world was built)."""

    def make(username: str):
        return client_with_session(_SESSIONS[username])

    return make


@pytest.fixture
def kept_pages(settings):
    """Pages and API lists kept until the data changes (core.pagecache), as in production."""
    from django.core.cache import caches

    settings.PAGE_CACHE = True
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def sessions(db) -> dict[str, str]:
    """{username: session key} of the world's people."""
    return _SESSIONS


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access outside any test transaction (what a live server or concurrent
    connections need): every table is copied first (once per session) and put back
    afterwards, sequences included (``TableSnapshot``). Yields the World."""
    from django.db import connection

    with django_db_blocker.unblock():
        snapshot = _SNAPSHOTS.setdefault(connection.alias, TableSnapshot(connection))
        snapshot.take()
        try:
            yield World(_REFS)
        finally:
            if connection.vendor == "postgresql":
                # Other threads' connections (live server, concurrent writers) may be open.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
            snapshot.restore()


@pytest.fixture
def live_site(committed_db):
    """The app on a live server for browser tests. Yields (base URL, World)."""
    from django.db import connections

    from zhaoshang.testing.browser import live_server_thread

    override = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in override.values():
        conn.inc_thread_sharing()
    thread = live_server_thread(override)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://localhost:{thread.port}", committed_db
    finally:
        thread.terminate()
        for conn in override.values():
            conn.dec_thread_sharing()


@pytest.fixture
def browser_page(request):
    """A page in real headless Chromium (Debian's /usr/bin/chromium; never downloaded), in a
    browser context of its own. The Chromium is the test process's, kept for the browser
    tests that follow one another (``zhaoshang/testing/browser.py``: ``SharedChromium``)."""
    import os
    import shutil

    from zhaoshang.testing.browser import CHROMIUM

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run should have installed the Debian package.")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    browser = CHROMIUM.browser(executable)
    try:
        # Less motion asked for, as a reader may: the charts are drawn without their
        # second-long animation (charts.js) and Bootstrap's transitions are off, so a test
        # waits for the page, not for motion. A test that needs the motion opens its own
        # context (kpis' phone tap test checks that the charts animate there).
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 1366, "height": 900}, reduced_motion="reduce"
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            yield page
        finally:
            # While Playwright's loop runs, Django keeps the test's connections per context,
            # not per thread: close them here, or the next browser test inherits a
            # connection that committed_db's clean-up has since terminated (PostgreSQL).
            from django.db import connections

            connections.close_all()
            for other in browser.contexts:  # with any a test opened and left open
                other.close()
    finally:
        CHROMIUM.pause()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """The shared Chromium ends after the last of a run of browser tests (the next test uses
    none, or there is none)."""
    try:
        return (yield)
    finally:
        if nextitem is None or "browser_page" not in getattr(nextitem, "fixturenames", ()):
            from zhaoshang.testing.browser import CHROMIUM

            CHROMIUM.stop()
