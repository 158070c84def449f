"""``core.pagecache`` and ``core.datastamp``: a kept page or API list is exactly the page built
anew, served without building it; any write (through any connection, committed or not by
this process) gives a new stamp, so nothing kept is served after the data changed; what
makes a page one request's own (a flash message, a write while building it, another person,
session, language or minute) is never kept or served."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core import datastamp, pagecache
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

# (URL name, needs a project) of every kept page, and the API lists.
PAGES = [
    ("home", False),
    ("projects:list", False),
    ("projects:detail", True),
    ("approvals:worklist", False),
    ("monitoring:board", False),
    ("meetings:board", False),
    ("kpis:index", False),
]
API_LISTS = [
    "api:project-list",
    "api:approval-case-list",
    "api:enterprise-list",
    "api:kpi-list",
    "api:receipt-list",
]
PEOPLE = [
    "bureau",
    "leader",
    "department",
    "park",
    "supervisor",
    "service_center",
    "city",
    "manager",
    "secretary",
    "enterprise",
]
# A kept answer: the session, the user, the stamp (and nothing of the page's own).
KEPT_QUERIES = 3
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+|(data-csrf=")[^"]+')


def _same(body: bytes) -> bytes:
    """A page with its CSRF tokens blanked (each rendering masks the secret anew)."""
    return _TOKEN.sub(lambda m: m.group(1) or m.group(2), body)


def _get(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response, len(queries)


def _url(name, world, needs_project=False):
    return reverse(name, args=[world.project1_a.pk] if needs_project else [])


def _primed(client, world):
    """The client holds its CSRF cookie (a browser has it from the page it came from)."""
    client.get(reverse("projects:list"))
    client.get(reverse("home"))
    return client


# --- the stamp ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('SELECT "a"."id" FROM "a"', None),
        ("select 1", None),
        ('SAVEPOINT "s1"', None),
        ('INSERT INTO "projects_project" ("name") VALUES (%s)', "projects_project"),
        ('INSERT OR IGNORE INTO "x" ("a") VALUES (1)', "x"),
        ('UPDATE "approvals_approvalcase" SET "status" = %s', "approvals_approvalcase"),
        ('DELETE FROM "django_session" WHERE 1', "django_session"),
        ("  update core_datastamp set value = 1", "core_datastamp"),
        ('WITH t AS MATERIALIZED (SELECT 1) INSERT INTO "m" SELECT * FROM t', ""),
        ("WITH t AS (SELECT 1) SELECT * FROM t", None),
        ('TRUNCATE "a", "b"', ""),
        ('CREATE TABLE "new" ("id" integer)', ""),
    ],
)
def test_a_statement_is_a_write_of_its_table_or_a_read(sql, table):
    assert datastamp._written_table(sql) == table


def test_a_write_moves_the_stamp_at_once_and_the_shared_value_when_it_commits(world):
    before = datastamp.read()
    Project.objects.filter(pk=world.project1_a.pk).update(name="改名")
    during = datastamp.read()
    assert during[1] != before[1]  # this process: at once, inside the test's transaction
    assert during[0] == before[0]  # the other processes: only once it commits
    assert connection.zs_wrote
    assert not connection.run_on_commit  # no hook of its own (a test may count the app's)


def test_a_read_or_a_session_leaves_the_stamp_alone(world):
    from django.contrib.sessions.backends.db import SessionStore

    before = datastamp.read()
    list(Project.objects.all())
    session = SessionStore()
    session["x"] = 1
    session.save()
    assert datastamp.read() == before


# --- kept pages --------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_every_kept_page_is_the_page_built_anew_served_without_building_it(
    kept_pages, client_for, world, settings, who
):
    client = _primed(client_for(who), world)
    for name, needs_project in PAGES:
        url = _url(name, world, needs_project)
        # (The first view of the KPI page may store a missing snapshot: a write, so the page
        # is kept from the next view on.)
        first, _built = _get(client, url)
        second, _ = _get(client, url)
        third, queries = _get(client, url)
        assert third.status_code == second.status_code == first.status_code, url
        if first.status_code != 200:
            continue
        assert third.content == second.content, url
        assert _same(second.content) == _same(first.content), url
        assert queries <= KEPT_QUERIES, (url, queries)
        settings.PAGE_CACHE = False
        fresh, _ = _get(client, url)
        settings.PAGE_CACHE = True
        assert _same(fresh.content) == _same(third.content), url


@pytest.mark.parametrize("who", ["bureau", "leader", "city", "department", "enterprise"])
def test_every_kept_api_list_is_the_list_built_anew(kept_pages, client_for, world, settings, who):
    client = client_for(who)
    for name in API_LISTS:
        url = reverse(name)
        first, built = _get(client, url)
        second, queries = _get(client, url)
        assert second.status_code == first.status_code, url
        if first.status_code != 200:
            continue
        assert second.content == first.content, url
        assert second["Content-Type"] == first["Content-Type"] == "application/json", url
        assert second["Cache-Control"] == first["Cache-Control"], url  # private, as before
        # The session, the user, the stamp, and the throttles' counts (the ``limits`` cache).
        assert queries <= KEPT_QUERIES + 3 and queries < built, (url, queries)
        settings.PAGE_CACHE = False
        assert _get(client, url)[0].content == second.content, url
        settings.PAGE_CACHE = True


def test_after_a_write_the_page_shows_it(kept_pages, client_for, world):
    client = _primed(client_for("bureau"), world)
    url = reverse("projects:list")
    assert "新的名字" not in _get(client, url)[0].content.decode()
    Project.objects.filter(pk=world.project1_a.pk).update(name="新的名字")
    response, queries = _get(client, url)
    assert "新的名字" in response.content.decode()
    assert queries > KEPT_QUERIES


def test_another_process_s_commit_is_seen(kept_pages, client_for, world):
    client = _primed(client_for("bureau"), world)
    url = reverse("home")
    _get(client, url)
    assert _get(client, url)[1] <= KEPT_QUERIES
    datastamp._renew(connection)  # another worker committed a change: the row has a new value
    assert _get(client, url)[1] > KEPT_QUERIES


def test_a_page_is_kept_for_its_person_session_language_and_minute(
    kept_pages, client_for, world, _frozen_time
):
    bureau = _primed(client_for("bureau"), world)
    url = reverse("projects:list")
    _get(bureau, url)
    assert _get(bureau, url)[1] <= KEPT_QUERIES
    # Another person, even of the same district and role, has the page built for them.
    other = _primed(client_for("secretary"), world)
    assert _get(other, url)[1] > KEPT_QUERIES
    # The same person in English.
    bureau.cookies["django_language"] = "en"
    english, queries = _get(bureau, url)
    assert queries > KEPT_QUERIES and 'lang="en"' in english.content.decode()
    del bureau.cookies["django_language"]
    assert _get(bureau, url)[1] <= KEPT_QUERIES
    # A minute later: built anew (what it says of the time is never older than a minute).
    _frozen_time.shift(datetime.timedelta(minutes=1))
    assert _get(bureau, url)[1] > KEPT_QUERIES
    # Another session of the same person (its forms carry another CSRF secret).
    again = _primed(client_for("bureau"), world)
    again.cookies["sessionid"] = bureau.cookies["sessionid"].value
    assert _get(again, url)[1] > KEPT_QUERIES


def test_nothing_is_kept_without_the_csrf_cookie(kept_pages, client_for, world):
    client = client_for("bureau")
    url = reverse("projects:list")
    _get(client, url)
    _get(client, url)  # with the cookie the first answer gave: kept
    assert _get(client, url)[1] <= KEPT_QUERIES
    for _ in range(2):
        del client.cookies["csrftoken"]
        assert _get(client, url)[1] > KEPT_QUERIES  # neither served kept nor kept


def test_a_flash_message_is_never_kept_nor_skipped(kept_pages, client_for, world, rf):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    from zhaoshang.org.models import User

    calls = []

    @pagecache.kept_page
    def view(request):
        calls.append(1)
        from django.http import HttpResponse

        return HttpResponse(f"{len(calls)} {[str(m) for m in messages.get_messages(request)]}")

    def request_with(flash=None):
        request = rf.get("/x/")
        request.user = User.objects.get(pk=world.user_bureau.pk)
        request.session = SessionStore()
        request.session.save()
        request.session = SessionStore(request.session.session_key)
        request.META["CSRF_COOKIE"] = "s" * 32
        request._messages = FallbackStorage(request)
        if flash:
            messages.success(request, flash)  # waiting to be shown
        return request

    plain = request_with()
    assert view(plain).content == b"1 []"
    plain2 = request_with()
    plain2.session = plain.session
    assert view(plain2).content == b"1 []"  # kept
    flashed = request_with("已保存")
    flashed.session = plain.session
    assert view(flashed).content.decode() == "2 ['已保存']"  # a waiting message: built, shown
    after = request_with()
    after.session = plain.session
    assert view(after).content == b"1 []"  # and the message's page was not kept


def test_a_page_that_writes_while_built_is_not_kept(kept_pages, rf, world):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from zhaoshang.org.models import User

    calls = []

    @pagecache.kept_page
    def view(request):
        calls.append(1)
        Project.objects.filter(pk=world.project1_a.pk).update(name=f"看过{len(calls)}")
        return HttpResponse(str(len(calls)))

    session = SessionStore()
    session.save()

    def request():
        r = rf.get("/x/")
        r.user = User.objects.get(pk=world.user_bureau.pk)
        r.session = SessionStore(session.session_key)
        r.META["CSRF_COOKIE"] = "s" * 32
        r._messages = FallbackStorage(r)
        return r

    assert [view(request()).content for _ in range(3)] == [b"1", b"2", b"3"]


def test_off_the_pages_are_built_every_time(client_for, world):
    client = _primed(client_for("bureau"), world)
    url = reverse("home")
    _get(client, url)
    assert _get(client, url)[1] > KEPT_QUERIES


def test_a_kept_page_s_forms_are_accepted(kept_pages, world):
    """The CSRF token in a kept page is of the browser's own secret: its forms post."""
    from django.test import Client

    from zhaoshang.testing.clients import SESSIONS, client_with_session

    client = client_with_session(SESSIONS["leader"], lambda: Client(enforce_csrf_checks=True))
    _primed(client, world)
    url = reverse("home")
    _get(client, url)
    kept, queries = _get(client, url)
    assert queries <= KEPT_QUERIES
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', kept.content).group(1)
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token.decode()})
    assert response.status_code == 302  # accepted (a refused token answers 403)
    client.cookies["csrftoken"] = "x" * 32  # another browser's secret: refused
    assert (
        client.post(reverse("logout"), {"csrfmiddlewaretoken": token.decode()}).status_code == 403
    )
