"""Work that makes millions of objects and keeps few (the demo's load, each step of the
daily scan) with the cyclic garbage collector paused.

Such work frees its rows, querysets and SQL compilers by their reference counts; the
collector's passes, triggered by the count of objects made, walk every object alive again
and again for next to no garbage — some 10 % of the daily scan's CPU at 100,000 projects.
Paused, the objects alive before the work are frozen out of later passes, and what garbage
the work leaves in cycles waits for the collector's next pass after it: the pause is held
for one bounded piece of work at a time (a step of the scan, not the whole scan), so that
garbage stays small (tens of megabytes).
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def no_cycle_collection():
    """The cyclic collector paused (and the objects alive frozen out of its passes) while
    the block runs; as it was afterwards."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
