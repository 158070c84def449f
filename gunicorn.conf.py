"""gunicorn's settings for Zhaoshang (issue 19, point 5: lean workers).

gunicorn reads this file from its working directory (start it from the checkout) or from
``-c PATH``; options given on its command line win over the values here. See
docs/operations.md, "Web server".

- ``preload_app``: the master imports the application (Django, DRF, every app's models,
  views and URL patterns: about 95 MiB) once and forks its workers from it, so they share
  those pages copy-on-write instead of each importing its own copy. A new release
  therefore needs a restart of gunicorn, not a ``HUP`` (the master keeps the code it
  loaded).
- Garbage collection: before forking, the master closes what a worker must not share
  (database connections, cache clients), collects, and freezes every object it holds
  (``gc.freeze()``): a worker's collections never write to the shared objects' headers
  and never walk them again (a full collection over the application's ~160,000 objects
  costs about 100 ms). Each worker then runs a full collection after each response, which
  frees the previous request's objects caught in reference cycles (request, response,
  template contexts, querysets: the current one is still referenced until the response is
  closed) at once instead of letting them pile up until Python's own full collection —
  which left a worker with ever more partly used memory: about 8 MiB more per 1,000
  requests (``python -m bench http`` measures it). Before each of its first
  ``FREEZE_REQUESTS`` requests, when nothing of the last one is left, the worker also
  collects and freezes what survived: the compiled templates, the URL patterns' reverse
  tables, the menus — built once, kept for the worker's life — so that the collection after
  each response walks little more than that response's own objects (about 0.5 ms instead
  of 3–4 ms). What is frozen is never collected as a cycle again; it is bounded by what
  lived on after those first requests.
"""

from __future__ import annotations

import gc

preload_app = True

# The requests before which a worker freezes what survived the ones before (see above).
FREEZE_REQUESTS = 200


def pre_fork(server, worker):
    """In the master, before each worker is forked: nothing open that the worker would
    share, and every object frozen out of the collector's reach."""
    if not server.cfg.preload_app:
        return  # the master loaded nothing
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    for cache in caches.all(initialized_only=True):
        cache.close()
    gc.collect()
    gc.freeze()


def post_worker_init(worker):
    """In the worker, once the application is loaded (by the master, or by the worker
    itself without ``preload_app``): freeze what it holds so far."""
    gc.collect()
    gc.freeze()


def pre_request(worker, req):
    """In the worker, before each of its first requests: what the requests before left
    behind is the worker's lasting structures — freeze them."""
    if worker.nr < FREEZE_REQUESTS:
        gc.collect()
        gc.freeze()


def post_request(worker, req, environ, resp):
    """In the worker, after each response: free the cyclic garbage of the requests before."""
    gc.collect()
