"""Shared limits: the client address behind proxies, the log-in lock-out by user+address and
by address (page and API), and counters that every server process shares (the ``limits``
cache on the database and on Redis)."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse

from zhaoshang.core.clientip import client_ip
from zhaoshang.testing import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


# --- the client address ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.1", "6.6.6.6", "10.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "10.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # right-most
        (1, "10.0.0.1", "", "10.0.0.1"),
        (2, "10.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "10.0.0.1", "203.0.113.7", "203.0.113.7"),  # entered through the inner proxy
        (1, "10.0.0.1", "6.6.6.6, not-an-address", "10.0.0.1"),
        (1, "10.0.0.1", "6.6.6.6, 2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- log-in lock-out ------------------------------------------------------------------------


def _login(username, password="wrong", ip="10.0.0.9", forwarded=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(reverse("login"), {"username": username, "password": password}, **extra)


def _token(username, password="wrong", ip="10.0.0.9"):
    return Client().post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_one_users_failures_do_not_lock_another_user_on_the_same_address(world, settings):
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _login("bureau")
    assert _login("bureau", PASSWORD).status_code == 429
    response = _login("leader", PASSWORD)  # the leader behind the same proxy address
    assert response.status_code == 302
    assert _token("leader", PASSWORD).status_code == 200
    assert _token("bureau", PASSWORD).status_code == 429  # the page's lock holds on the API
    # … and the locked user is not locked from another address.
    assert _login("bureau", PASSWORD, ip="10.0.0.10").status_code == 302


def test_spraying_usernames_from_one_address_blocks_the_address(world, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    names = ["bureau", "leader", "department", "park", "supervisor"]
    for i in range(8):  # below each pair's limit: 8 failures over 5 usernames
        _login(names[i % len(names)])
    response = _login("service_center", PASSWORD)
    assert response.status_code == 429
    with_en = Client(headers={"Accept-Language": "en"})
    page = with_en.post(
        reverse("login"), {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert page.status_code == 429
    assert "from your network address" in page.content.decode()
    api = Client(headers={"Accept-Language": "en"}).post(
        TOKEN_URL,
        {"username": "admin", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
    )
    assert api.status_code == 429 and "network address" in api.json()["detail"]
    assert _login("service_center", PASSWORD, ip="10.0.0.10").status_code == 302


def test_spraying_over_the_api_counts_too(world, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    for i in range(5):
        assert _token(f"nobody{i}").status_code == 400
    assert _token("nobody5").status_code == 429  # the failure that reaches the limit
    assert _token("bureau", PASSWORD).status_code == 429
    assert _login("bureau", PASSWORD).status_code == 429


def test_a_successful_log_in_resets_the_pair(world, settings):
    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login("bureau")
    assert _login("bureau", PASSWORD).status_code == 302
    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login("bureau")
    assert _login("bureau", PASSWORD).status_code == 302


def test_the_lock_out_page_names_the_account_lock_and_its_minutes(world, settings):
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _login("bureau")
    response = Client(headers={"Accept-Language": "en"}).post(
        reverse("login"), {"username": "bureau", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert "locked on this network address for 15 minutes" in response.content.decode()


def test_a_forged_forwarded_header_does_not_escape_the_lock(world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login("bureau", forwarded=f"198.51.100.{i}")
    assert _login("bureau", PASSWORD, forwarded="198.51.100.200").status_code == 429


def test_behind_one_proxy_the_lock_is_per_client(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _login("bureau", ip=proxy, forwarded="6.6.6.6, 203.0.113.7")
    assert _login("bureau", PASSWORD, ip=proxy, forwarded="203.0.113.7").status_code == 429
    assert _login("bureau", PASSWORD, ip=proxy, forwarded="203.0.113.8").status_code == 302


def test_the_lock_holds_in_another_process(world, settings):
    """The counts are rows of the database: a fresh handler (a new process, a restart)
    sees them."""
    from axes.handlers.proxy import AxesProxyHandler

    for _i in range(settings.AXES_FAILURE_LIMIT):
        _login("bureau")
    AxesProxyHandler.implementation = None  # what a new process starts with
    assert _login("bureau", PASSWORD).status_code == 429


# --- shared counters ------------------------------------------------------------------------


def _new_process_caches():
    """Drop this process's cache connections, as a new server process starts without them."""
    from asgiref.local import Local

    caches._connections = Local()


def test_the_embedded_limits_cache_is_the_database(db):
    from django.core.cache.backends.db import DatabaseCache

    assert isinstance(caches["limits"], DatabaseCache)
    one = DatabaseCache("zhaoshang_cache", {})
    other = DatabaseCache("zhaoshang_cache", {})
    one.set("shared-counter", 1, 60)
    one.incr("shared-counter")
    assert other.get("shared-counter") == 2


def test_the_token_throttle_holds_across_processes(world, settings):
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])
    for _i in range(rate):
        assert Client().post(TOKEN_URL, {}, content_type="application/json").status_code == 400
    _new_process_caches()
    response = Client().post(TOKEN_URL, {}, content_type="application/json")
    assert response.status_code == 429


def test_the_verification_limit_holds_across_processes(client, world, settings):
    settings.INSPECTION_VERIFY_MAX_FAILURES = 3
    for i in range(3):
        url = reverse("verify:code", args=[f"ZZZZZZZZZZZZZZZZZZZ{i}"])
        assert client.get(url).status_code == 404
    _new_process_caches()
    response = Client().get(reverse("verify:code", args=["ZZZZZZZZZZZZZZZZZZZZ"]))
    assert response.status_code == 429


@pytest.fixture
def redis_limits(settings):
    """The ``limits`` cache on the shared Redis under a prefix of this test's own; only its
    keys are deleted afterwards."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"zs-test-limits-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        },
    }
    yield prefix
    keys = list(connection.scan_iter(match=f"{prefix}:*"))
    if keys:
        connection.delete(*keys)
    assert not list(connection.scan_iter(match=f"{prefix}:*"))


def test_redis_counters_are_shared_between_instances(redis_limits):
    from django.core.cache.backends.redis import RedisCache

    params = {"KEY_PREFIX": redis_limits}
    one = RedisCache("redis://127.0.0.1:6379/0", params)
    other = RedisCache("redis://127.0.0.1:6379/0", params)
    one.set("shared-counter", 1, 60)
    one.incr("shared-counter")
    assert other.get("shared-counter") == 2


def test_the_verification_limit_holds_across_processes_on_redis(world, settings, redis_limits):
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["limits"], RedisCache)
    settings.INSPECTION_VERIFY_MAX_FAILURES = 3
    for i in range(3):
        Client().get(reverse("verify:code", args=[f"ZZZZZZZZZZZZZZZZZZZ{i}"]))
    _new_process_caches()
    response = Client().get(reverse("verify:code", args=["ZZZZZZZZZZZZZZZZZZZZ"]))
    assert response.status_code == 429
    assert (
        Client()
        .get(reverse("verify:code", args=["ZZZZZZZZZZZZZZZZZZZZ"]), REMOTE_ADDR="10.9.9.9")
        .status_code
        == 404
    )


def test_the_token_throttle_holds_across_processes_on_redis(world, settings, redis_limits):
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])
    for _i in range(rate):
        Client().post(TOKEN_URL, {}, content_type="application/json")
    _new_process_caches()
    assert Client().post(TOKEN_URL, {}, content_type="application/json").status_code == 429


def test_no_readable_address_is_none(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="")
    assert client_ip(request) is None  # axes keeps it in an address column: never a word
