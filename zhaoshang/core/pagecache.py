"""A page (or an API list) kept for the person who asked, until the data changes (issue 19,
point 2).

A home, a list or a board is read far more often than the district's data changes: a leader
opens the home several times an hour, a handler goes back and forth between the worklist
and a case. Building such a page reads the person's scope, a dozen counts and a table through
the ORM and renders a few hundred template nodes: tens of milliseconds, each time the same
answer. ``kept_page`` keeps the answer, compressed, in the ``default`` cache under a key that
names everything it depends on:

- the data's stamp (``core.datastamp``), read before anything else: any write gives a new
  stamp to the pages it may change — those of its district, of the people who see several
  districts, or every page for a write no one district is named for — so a kept page is
  never older than the last change committed (a write by this very process counts at once,
  before it commits);
- the person (and for the API, how they signed in), their session and its CSRF secret (the
  forms in the page carry a token of that secret);
- the address with its query, the language, the HTMX headers;
- the minute (``core.clock``): what a page says about the time ("3 分钟前", today's date, a
  deadline's days left) is never more than a minute old.

A page is kept only when it was answered with 200, set no cookie, showed or queued no flash
message and wrote nothing while it was built; one is served from the cache only when no
flash message waits to be shown. ``PAGE_CACHE = False`` (environment ``PAGE_CACHE=0``) turns
it off. Each kept page expires after ``TIMEOUT`` seconds anyway."""

from __future__ import annotations

import functools
import hashlib
import zlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import translation

from zhaoshang.core import clock, datastamp

TIMEOUT = 120
HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Current-URL")


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE", True)


def _messages_waiting(request) -> bool:
    """A flash message waits to be shown, or was shown by this page (``len`` counts both)."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def key(request, user, *, kind: str = "page", signed_in_by: str = "") -> str | None:
    """The key of this request's answer, or None when it is not to be kept."""
    if not enabled() or request.method != "GET" or not user.is_authenticated:
        return None
    session = getattr(request, "session", None)
    session_key = session.session_key if session is not None else None
    secret = request.META.get("CSRF_COOKIE", "")
    if kind == "page" and not (secret and session_key):
        return None  # a page's forms need the CSRF cookie the browser already holds
    stamp = datastamp.read(scopes=datastamp.scopes_of(user))
    if stamp is None:
        return None
    minute = clock.now().replace(second=0, microsecond=0).isoformat()
    parts = (
        kind,
        request.get_full_path(),
        user.pk,
        signed_in_by,
        session_key,
        secret,
        translation.get_language(),
        minute,
        stamp,
        tuple(request.headers.get(h) for h in HEADERS),
    )
    return "zs:kept:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def kept(cache_key: str) -> HttpResponse | None:
    """The kept answer, as a new response."""
    found = caches["default"].get(cache_key)
    if found is None:
        return None
    status, headers, body = found
    response = HttpResponse(zlib.decompress(body), status=status)
    for name, value in headers:
        response[name] = value
    return response


def keep(cache_key: str, request, response, *, before: int) -> None:
    """Keep ``response`` when nothing makes it this request's alone."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or datastamp.local != before  # the page wrote something while it was built
        or _messages_waiting(request)
    ):
        return
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    headers = [(name, value) for name, value in response.items()]
    body = zlib.compress(response.content, 1)
    caches["default"].set(cache_key, (response.status_code, headers, body), TIMEOUT)


def kept_page(view):
    """Serve the view's answer from the cache while the data, the person and the minute are
    unchanged (see the module)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        cache_key = None
        if not _messages_waiting(request):
            cache_key = key(request, request.user)
        if cache_key is None:
            return view(request, *args, **kwargs)
        return _kept_or_built(cache_key, request, lambda: view(request, *args, **kwargs))

    return wrapper


def _kept_or_built(cache_key: str, request, build, ready=None):
    """The kept answer, else ``build()``'s, kept (after ``ready(response)`` when given: what
    the answer needs before it can be rendered)."""
    response = kept(cache_key)
    if response is not None:
        return response
    before = datastamp.local
    response = build()
    if ready is None or ready(response):
        keep(cache_key, request, response, before=before)
    return response


def kept_list(view, request, respond, *args, **kwargs):
    """An API list (``respond``, the viewset's ``list``) kept like a page: JSON only, per
    person and the way they signed in (``request`` is REST framework's, after its
    authentication, permissions, throttles and content negotiation)."""
    renderer = getattr(request, "accepted_renderer", None)
    cache_key = None
    if renderer is not None and renderer.format == "json":
        signed_in_by = type(getattr(request, "successful_authenticator", None)).__name__
        cache_key = key(request, request.user, kind="api", signed_in_by=signed_in_by)
    if cache_key is None:
        return respond(*args, **kwargs)

    def ready(response) -> bool:
        # What REST framework's finalize_response sets, so that the answer renders now.
        if response.status_code != 200 or not hasattr(response, "data"):
            return False
        response.accepted_renderer = renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = view.get_renderer_context()
        return True

    return _kept_or_built(cache_key, request, lambda: respond(*args, **kwargs), ready)


def kept_list_method(method):
    """A viewset's ``list`` kept (``kept_list``); the same method is never wrapped twice."""
    if getattr(method, "kept", False):
        return method

    @functools.wraps(method)
    def wrapper(self, request, *args, **kwargs):
        return kept_list(self, request, method, self, request, *args, **kwargs)

    wrapper.kept = True
    return wrapper
