"""Logged-in test clients without logging anybody in during the tests.

Each person of the world gets one session when the world is built (what ``force_login``
would store, without the log-in's side effects), valid long past any date a test travels
to. A test's client only carries that session's cookie: no session row, no log-in signal,
no history row per client.
"""

from __future__ import annotations

import datetime

from django.conf import settings

# Past every date a test travels to, so that the sessions never expire under a test.
SESSIONS_EXPIRE = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)

#: {username: session key} of the world's people, filled when the world is built (the
#: root conftest's ``sessions`` fixture), for what a module builds once with their clients.
SESSIONS: dict[str, str] = {}


def _backend_path() -> str:
    """The backend ``Client.force_login`` records: the first one that can load a user."""
    from django.contrib.auth import load_backend

    for path in settings.AUTHENTICATION_BACKENDS:
        if hasattr(load_backend(path), "get_user"):
            return path
    raise LookupError("no authentication backend can load a user")


def open_sessions(users) -> dict[str, str]:
    """{username: session key}: a stored session per user, as ``force_login`` makes it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    backend = _backend_path()
    keys = {}
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save(must_create=True)
        keys[user.get_username()] = session.session_key
    Session.objects.filter(session_key__in=keys.values()).update(expire_date=SESSIONS_EXPIRE)
    return keys


def client_with_session(session_key: str, client_class=None):
    """A new test client carrying a stored session (its person is logged in)."""
    from django.test import Client

    client = (client_class or Client)()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def counted_get(client, url: str, params=None) -> tuple[int, int]:
    """(status, statements) of one GET of ``url``: what a query-count guard compares."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    return response.status_code, len(ctx.captured_queries)


def counted_apart(who: str, url: str, params=None) -> tuple[int, int]:
    """``counted_get`` by ``who`` (their stored session, ``SESSIONS``) in a savepoint rolled
    back: a module's first counts, taken once with its rows (``built_once_per_module``),
    leave nothing behind for its tests."""
    from django.db import transaction

    with transaction.atomic():
        found = counted_get(client_with_session(SESSIONS[who]), url, params)
        transaction.set_rollback(True)
    return found


def api_params(url: str) -> dict:
    """An API list counted on one page of every row; a page as it comes."""
    return {"page_size": 500} if "/api/" in url else {}


def first_counts(urls, people, params=api_params) -> dict:
    """{(url, who): (status, statements)} of each list for each person, each counted apart
    (``counted_apart``): a query-count guard's counts on its first rows, taken once."""
    return {(url, who): counted_apart(who, url, params(url)) for url in urls for who in people}


def assert_counts_again(first: dict, client, who: str, url: str, params=api_params) -> None:
    """A list guard's check: ``url`` answers ``who`` at both sizes, in as many statements on
    the grown rows as ``first_counts`` found on the first ones."""
    status, small = first[url, who]
    assert status == 200, url
    status, large = counted_get(client, url, params(url))
    assert status == 200, url
    assert large == small, f"{url} ({who}): {small} statements, then {large}"
