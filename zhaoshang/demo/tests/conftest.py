"""The demo city, loaded once for this whole package (see loading.py).

Every test module here gets these fixtures without defining any:

- ``today``: the demo's today (a date), with database access (its own savepoint);
- ``demo_db``: the ``DemoCity`` (``.today``, ``.output`` of load_demo, ``.media``), with
  database access;
- ``demo`` (the demo's today) and ``demo_city`` (the ``DemoCity``): package-scoped, without
  database access, for fixtures of a wider scope.

Time is frozen at DEMO_NOW and MEDIA_ROOT is the demo's for every test of the package. With
``-n`` (xdist), the root conftest.py's scheduler sends the package's tests to one worker as one
unit, one after the other, so the demo is loaded once.

A test that must load the demo itself (load_demo's own idempotency and reset tests) runs
``call_command("load_demo", …)`` inside its savepoint, on top of the shared load.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from zhaoshang.demo.tests.loading import DEMO_MEDIA, DemoCity, package_demo, shared_demo
from zhaoshang.demo.tests.test_load_demo import DEMO_NOW


@pytest.fixture(scope="package", autouse=True)
def _demo_package(django_db_blocker, tmp_path_factory):
    """The package's hold on the demo: loaded by the first test that asks for it, rolled back
    when the package's tests are done."""
    with package_demo(django_db_blocker, tmp_path_factory.getbasetemp() / DEMO_MEDIA) as held:
        yield held


_OUTSIDE_THE_TRANSACTION = {"transactional_db", "committed_db", "live_server", "live_site"}


@pytest.fixture(autouse=True)
def _inside_the_transaction(request):
    """The package's tests run inside the demo's transaction: a test that needs committed
    data (a live server, concurrent connections) belongs elsewhere."""
    found = _OUTSIDE_THE_TRANSACTION.intersection(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if found or (marker is not None and marker.kwargs.get("transaction")):
        pytest.fail(
            f"{request.node.nodeid}: tests in zhaoshang/demo/tests run inside the demo's "
            f"transaction and cannot use {sorted(found) or 'transaction=True'}; "
            "put the test in another package."
        )


@pytest.fixture(autouse=True)
def _frozen_time(request):
    """Every test of the package runs on the day the demo was loaded."""
    tick = request.node.get_closest_marker("browser") is not None
    with time_machine.travel(DEMO_NOW, tick=tick) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / DEMO_MEDIA


@pytest.fixture(scope="package")
def demo_city(django_db_setup, _demo_package) -> DemoCity:
    return shared_demo()


@pytest.fixture(scope="package")
def demo(demo_city) -> datetime.date:
    return demo_city.today


@pytest.fixture
def demo_db(demo_city, db) -> DemoCity:
    return demo_city


@pytest.fixture
def today(demo, db) -> datetime.date:
    return demo
