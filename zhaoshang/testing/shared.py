"""Objects built once per test module, like Django's ``TestCase.setUpTestData``.

A permission matrix asks hundreds of requests of the same few objects (an agreement with its
obligations, a complaint per target…). Built through the services for every test, they cost
more than the requests themselves. Here they are built once per module:

- ``module_transaction`` (the root conftest's module-scoped ``module_world``) opens a
  transaction for the module, after the session's world is committed and before any test's
  own: pytest sets up a module-scoped fixture before the function-scoped ``db``, whose
  atomic block (pytest-django's ``TestCase``) is then a savepoint inside it. The module's
  objects are written into that transaction and rolled back with it when the module's tests
  are done.
- ``built_once_per_module(build)`` gives a module the fixtures ``matrix_objects_built``
  (``build(world)``, run once, with time frozen and the tests' media folder, like a test)
  and ``matrix_objects`` (a deep copy of it for each test, as ``setUpTestData``'s attributes
  are: a test may change its instances in memory without the next test seeing it).

Each test still runs in its own savepoint, rolled back afterwards: what a test writes is
gone for the next one (``zhaoshang/testing/tests/test_shared_objects.py``). Every test of a
module that uses them sees the module's objects (they are in the database from the first
test that asks for them until the module ends), so a module's other tests take them from
``matrix_objects`` too rather than build their own copies. A test that commits
(``committed_db``, ``transactional_db``, a live server) cannot run inside the module's
transaction: such a module's fixtures refuse it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

_OUTSIDE_THE_TRANSACTION = {"transactional_db", "committed_db", "live_server", "live_site"}

#: The open module transactions, by database alias (the ``Atomic`` of each).
OPEN: dict[str, object] = {}


@contextmanager
def module_transaction(django_db_blocker, using: str = "default") -> Iterator[None]:
    """A transaction around a test module's tests, rolled back at the end.

    Opened outside any test's transaction (it must be the outermost block: the tests'
    savepoints nest inside it) and marked like ``TestCase``'s own atomic blocks, so that a
    durable block in a test behaves as it does under ``TestCase``."""
    from django.db import connections, transaction

    connection = connections[using]
    with django_db_blocker.unblock():
        if connection.in_atomic_block:
            raise RuntimeError(
                "a module's transaction must be opened before any test's transaction"
            )
        atomic = transaction.atomic(using=using)
        atomic._from_testcase = True
        atomic.__enter__()
    OPEN[using] = atomic
    try:
        yield
    finally:
        del OPEN[using]
        with django_db_blocker.unblock():
            if not connection.atomic_blocks or connection.atomic_blocks[-1] is not atomic:
                raise RuntimeError("a test left a transaction open inside the module's")
            transaction.set_rollback(True, using=using)
            atomic.__exit__(None, None, None)


def _refuse_committed_tests(request) -> None:
    found = _OUTSIDE_THE_TRANSACTION.intersection(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if found or (marker is not None and marker.kwargs.get("transaction")):
        pytest.fail(
            f"{request.node.nodeid}: this module's tests run inside its transaction "
            f"(built_once_per_module) and cannot use {sorted(found) or 'transaction=True'}"
        )


def built_once_per_module(
    build: Callable[[object], object],
    per_test: Callable[[object, object], object] | None = None,
) -> dict[str, Callable]:
    """The fixtures ``matrix_objects_built`` (module scope: ``build(world)``) and
    ``matrix_objects`` (per test: a deep copy of what ``build`` returned, or
    ``per_test(world, copy)``, ``world`` being the test's own). For a module's globals."""

    @pytest.fixture(scope="module")
    def matrix_objects_built(module_world, django_db_blocker, tmp_path_factory):
        import time_machine
        from django.test.utils import override_settings

        from zhaoshang.testing.world import FROZEN_NOW

        with (
            django_db_blocker.unblock(),
            time_machine.travel(FROZEN_NOW, tick=False),
            override_settings(MEDIA_ROOT=tmp_path_factory.getbasetemp() / "media"),
        ):
            return build(module_world)

    @pytest.fixture
    def matrix_objects(matrix_objects_built, world):
        objects = copy.deepcopy(matrix_objects_built)
        return per_test(world, objects) if per_test is not None else objects

    @pytest.fixture(autouse=True)
    def _inside_the_module_transaction(request):
        if OPEN:
            _refuse_committed_tests(request)

    return {
        "matrix_objects_built": matrix_objects_built,
        "matrix_objects": matrix_objects,
        "_inside_the_module_transaction": _inside_the_module_transaction,
    }


def fixture_function(fixture) -> Callable:
    """The function under a conftest's fixture (``@pytest.fixture`` keeps it as
    ``__wrapped__``), to build in a module what the fixture builds for one test."""
    return fixture.__wrapped__
