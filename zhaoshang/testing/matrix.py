"""The permission-matrix generator: every person of the world × every route of an app ×
an in-scope, an out-of-scope and an other-district object.

An app's ``tests/test_permission_matrix.py`` is its route table: ``ROUTES`` (route name →
kind of object in the URL, what the user needs, method), the rule that gives each
person's expected status (``expected(who, route, target)``, SPEC §1 written over the
world), a ``matrix_objects`` fixture (its objects built once for the module:
``built_once_per_module`` of ``zhaoshang/testing/shared.py``) and ``url(objects, route,
target)``; then

    globals().update(Matrix(ROUTES, expected, url, namespaces=("land",)).tests())

generates ``test_permission_matrix`` (one test per route × target, each person's request
in a savepoint of its own), ``test_anonymous_users_are_sent_to_login`` and
``test_every_route_of_the_app_is_in_the_matrix``. Each person's client carries the session
opened for them when the world was built (no log-in per request) and keeps no template
context (only the status is compared).

The world's rules every table shares are here too: who sees which project, whose district
a target is in, the registry editors and the team of project1_a.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from zhaoshang.testing.world import ROLE_USERS, assert_statuses, each_person, route_names

# The role users and the extra people of the world: the project team of project1_a
# (manager, secretary, officer), a department handler serving no project, and district b's
# bureau user.
PEOPLE = [*ROLE_USERS, "manager", "secretary", "officer", "outsider", "bureau_b"]
# The three objects of each kind: in scope (project1_a's), out of scope (project2_a's, in
# park 2), in the other district (project1_b's).
TARGETS = ("in", "out", "other")
EDITORS = {"admin", "bureau", "secretary", "bureau_b"}  # secretary holds the bureau role
TEAM_OF_P1A = {"manager", "secretary", "officer"}


def visible_project(who: str, target: str) -> bool:
    """Who sees the target's project (and what is visible with it)."""
    if who == "city":
        return True
    if who == "bureau_b":
        return target == "other"
    if who in ("park", "enterprise"):  # park 1's committee; enterprise1_a's own user
        return target == "in"
    return target in ("in", "out")


def own_district(who: str, target: str) -> bool:
    """The target is in the person's district (city users have none)."""
    return who != "city" and (who == "bureau_b") == (target == "other")


def visible_enterprise(who: str, target: str) -> bool:
    if who == "city":
        return True
    if who == "bureau_b":
        return target == "other"
    if who == "enterprise":
        return target == "in"
    return target in ("in", "out")


def world_project(world, target: str):
    return {"in": world.project1_a, "out": world.project2_a, "other": world.project1_b}[target]


# One request handler (its middleware chain loaded once) per middleware setting, shared by
# the status clients: a matrix makes a new client for each person of each test.
_HANDLERS: dict = {}


class StatusClient(Client):
    """A client that does not collect every rendered template's context (a matrix
    compares only statuses) and shares its request handler with the other status clients."""

    def __init__(self, **defaults):
        super().__init__(**defaults)
        key = tuple(settings.MIDDLEWARE)
        self.handler = _HANDLERS.setdefault(key, self.handler)

    def request(self, **request):
        return self.handler(self._base_environ(**request))


def _blank_pdf() -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=842, height=595)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


_BLANK_PDF: list[bytes] = []


def _without_pdf_layout(monkeypatch) -> None:
    """A matrix compares statuses: a PDF route's template is still rendered with the
    person's context (``core.pdf.render_pdf``), but WeasyPrint's layout of it (a second or
    more per person) is replaced by a blank page. The PDFs' contents have their own tests."""
    from weasyprint import HTML

    if not _BLANK_PDF:
        _BLANK_PDF.append(_blank_pdf())
    monkeypatch.setattr(HTML, "write_pdf", lambda self, *args, **kwargs: _BLANK_PDF[0])


def status_client(session_key: str | None = None) -> StatusClient:
    client = StatusClient()
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


Check = Callable[[str, int], None]


class Matrix:
    """One app's matrix. ``routes``: {route name: (kind of object or None, needs, method)};
    ``expected(who, route, target)``: the status the rules give; ``url(objects, route,
    target)``: the URL, ``objects`` being the module's ``matrix_objects`` fixture.

    Options: ``namespaces`` (the URL namespaces the table covers; None: the coverage is
    checked elsewhere), ``targets`` (of a route with an object), ``targets_for`` (a
    route's targets when they are not that), ``check(objects, route, target)`` (returns
    ``check(who, status)``, called after each request, "anonymous" included, to assert
    what the request must or must not have changed), ``public`` (routes anonymous users
    reach), ``anonymous_methods`` (the methods tried without logging in), ``name`` (of the
    generated tests, for a second matrix in a module: its API routes, say)."""

    def __init__(
        self,
        routes: dict[str, tuple[str | None, str, str]],
        expected: Callable[[str, str, str | None], int],
        url: Callable[[object, str, str | None], str],
        *,
        namespaces: Iterable[str] | None,
        targets: Iterable[str] = TARGETS,
        targets_for: Callable[[str], list] | None = None,
        check: Callable[[object, str, str | None], Check] | None = None,
        public: Iterable[str] = (),
        anonymous_methods: Iterable[str] = ("GET",),
        people: Iterable[str] = PEOPLE,
        name: str = "permission_matrix",
    ):
        self.routes = routes
        self.expected = expected
        self.url = url
        self.namespaces = tuple(namespaces) if namespaces is not None else None
        self.targets = tuple(targets)
        self.targets_for = targets_for or self._targets_for
        self.check = check
        self.public = set(public)
        self.anonymous_methods = tuple(anonymous_methods)
        self.people = list(people)
        self.name = name

    def _targets_for(self, route: str) -> list:
        return [None] if self.routes[route][0] is None else list(self.targets)

    def cases(self) -> list:
        return [
            pytest.param(route, target, id=f"{route}-{target}")
            for route in self.routes
            for target in self.targets_for(route)
        ]

    def request(self, client, route: str, url: str):
        method = self.routes[route][2]
        return client.post(url, {}) if method == "POST" else client.get(url)

    def tests(self) -> dict[str, Callable]:
        """The generated test functions, by name (for the module's globals)."""
        matrix = self

        @pytest.mark.parametrize(("route", "target"), matrix.cases())
        def test_permission_matrix(matrix_objects, sessions, route, target, monkeypatch):
            objects = matrix_objects
            if matrix.routes[route][2] == "GET":
                _without_pdf_layout(monkeypatch)
            url = matrix.url(objects, route, target)
            check = matrix.check(objects, route, target) if matrix.check else None

            def status(who):
                response = matrix.request(status_client(sessions[who]), route, url)
                if check is not None:
                    check(who, response.status_code)
                return response.status_code

            expected = {who: matrix.expected(who, route, target) for who in matrix.people}
            got = each_person(matrix.people, status)
            assert_statuses(got, expected, f"{matrix.routes[route][2]} {url}")

        anonymous = [r for r, spec in matrix.routes.items() if spec[2] in matrix.anonymous_methods]

        @pytest.mark.parametrize("route", anonymous)
        def test_anonymous_users_are_sent_to_login(matrix_objects, db, route):
            objects = matrix_objects
            target = matrix.targets_for(route)[0]
            url = matrix.url(objects, route, target)
            check = matrix.check(objects, route, target) if matrix.check else None
            response = matrix.request(status_client(), route, url)
            if route in matrix.public:
                assert response.status_code == 200
            else:
                assert response.status_code == 302
                assert response["Location"].startswith(reverse("login"))
            if check is not None:
                check("anonymous", response.status_code)

        if matrix.name == "permission_matrix":
            tests = {"test_permission_matrix": test_permission_matrix}
            anonymous_name = "test_anonymous_users_are_sent_to_login"
        else:
            tests = {f"test_{matrix.name}": test_permission_matrix}
            anonymous_name = f"test_anonymous_users_{matrix.name}"
        if anonymous:
            tests[anonymous_name] = test_anonymous_users_are_sent_to_login
        if matrix.namespaces is not None:

            def test_every_route_of_the_app_is_in_the_matrix():
                names = set().union(*(route_names(ns) for ns in matrix.namespaces))
                assert names == set(matrix.routes)

            tests["test_every_route_of_the_app_is_in_the_matrix"] = (
                test_every_route_of_the_app_is_in_the_matrix
            )
        return tests
