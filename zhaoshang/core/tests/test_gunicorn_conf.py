"""gunicorn.conf.py keeps the workers lean (issue 19, point 5): the application preloaded
and frozen in the master, the requests' reference cycles freed after each response, and
what a worker's first requests leave behind frozen. ``scripts/smoke_production.py`` checks, on a
running gunicorn, that the workers share the preloaded application's memory."""

from __future__ import annotations

import gc
import runpy
import weakref
from pathlib import Path
from types import SimpleNamespace

import pytest

CONF = runpy.run_path(str(Path(__file__).resolve().parents[3] / "gunicorn.conf.py"))


class Node:
    """An object that takes part in a reference cycle."""

    def __init__(self):
        self.me = self


@pytest.fixture
def collector():
    """The test process's collector left as it was: nothing frozen, enabled if it was."""
    enabled = gc.isenabled()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


def worker(requests_served: int):
    return SimpleNamespace(nr=requests_served)


def test_the_application_is_preloaded():
    assert CONF["preload_app"] is True


def test_reference_cycles_are_freed_after_each_response(collector):
    gc.disable()  # only the hook may collect
    garbage = weakref.ref(Node())
    assert garbage() is not None
    CONF["post_request"](worker(CONF["FREEZE_REQUESTS"] + 1), None, {}, None)
    assert garbage() is None


def test_before_its_first_requests_a_worker_freezes_what_survived_and_later_not(collector):
    gc.disable()
    kept, garbage = Node(), weakref.ref(Node())
    CONF["pre_request"](worker(CONF["FREEZE_REQUESTS"]), None)
    assert gc.get_freeze_count() == 0
    assert garbage() is not None  # no collection before a request once warm
    CONF["pre_request"](worker(CONF["FREEZE_REQUESTS"] - 1), None)
    assert garbage() is None  # collected, not frozen
    assert gc.get_freeze_count() > 0
    assert not any(obj is kept for obj in gc.get_objects())  # out of the collector's reach
    del kept


def test_the_master_freezes_only_a_preloaded_application(collector):
    CONF["pre_fork"](SimpleNamespace(cfg=SimpleNamespace(preload_app=False)), None)
    assert gc.get_freeze_count() == 0
    CONF["post_worker_init"](worker(0))  # a worker that loaded the application itself
    assert gc.get_freeze_count() > 0
