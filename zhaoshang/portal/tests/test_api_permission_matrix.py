"""The portal API's permission matrix: every person of the world × every resource and action
under ``/api/v1/portal/`` × its own enterprise's record, another enterprise's of the same
district and one of the other district.

The rule is the pages' (``test_permission_matrix.default_expected``): only the enterprise's
own contact gets in (staff have their own API: 403); another enterprise's id is a 404; a
read answers 200 and an empty write is refused with 400 and writes nothing. Anonymous
callers are refused (401/403) on every route. The table must name every route of the
portal router: a resource added without its row fails
``test_every_portal_api_route_is_in_the_matrix``.

The records are the page matrix's (``tests/areas``), plus an agreement's obligation and a
service commitment of each target's project."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from zhaoshang.portal.tests.areas import approvals, complaints, inspections, needs, reports
from zhaoshang.testing.matrix import Matrix, world_project
from zhaoshang.testing.shared import built_once_per_module, fixture_function

# {key: (kind of record in the URL or None, needs, method)}; the key is the route name,
# with "#create" for a list route's POST.
API_ROUTES: dict[str, tuple[str | None, str, str]] = {
    "api:portal-project-list": (None, "portal", "GET"),
    "api:portal-project-detail": ("project", "portal", "GET"),
    "api:portal-case-list": (None, "portal", "GET"),
    "api:portal-case-detail": ("case", "portal", "GET"),
    "api:portal-case-rate": ("case", "portal", "POST"),
    "api:portal-report-list": (None, "portal", "GET"),
    "api:portal-report-list#create": (None, "portal", "POST"),
    "api:portal-report-detail": ("report", "portal", "GET"),
    "api:portal-document-list": (None, "portal", "GET"),
    "api:portal-document-list#create": (None, "portal", "POST"),
    "api:portal-need-list": (None, "portal", "GET"),
    "api:portal-need-list#create": (None, "portal", "POST"),
    "api:portal-need-detail": ("need", "portal", "GET"),
    "api:portal-need-rate": ("need", "portal", "POST"),
    "api:portal-complaint-list": (None, "portal", "GET"),
    "api:portal-complaint-list#create": (None, "portal", "POST"),
    "api:portal-complaint-detail": ("complaint", "portal", "GET"),
    "api:portal-complaint-rate": ("complaint", "portal", "POST"),
    "api:portal-rating-list": (None, "portal", "GET"),
    "api:portal-inspection-list": (None, "portal", "GET"),
    "api:portal-inspection-check": (None, "portal", "GET"),
    "api:portal-inspection-report": (None, "portal", "POST"),
    "api:portal-inspection-detail": ("visit", "portal", "GET"),
    "api:portal-inspection-rate": ("visit", "portal", "POST"),
    "api:portal-obligation-list": (None, "portal", "GET"),
    "api:portal-obligation-detail": ("obligation", "portal", "GET"),
    "api:portal-commitment-list": (None, "portal", "GET"),
    "api:portal-commitment-detail": ("commitment", "portal", "GET"),
}


def expected(who: str, route: str, target: str | None) -> int:
    if who != "enterprise":
        return 403
    if target in ("out", "other"):
        return 404
    return 400 if API_ROUTES[route][2] == "POST" else 200


def _signed(world) -> dict:
    """An obligation and a service commitment of each target's project."""
    from zhaoshang.agreements.tests import conftest as agreement_fixtures

    make_agreement = fixture_function(agreement_fixtures.make_agreement)(world)
    make_commitment = fixture_function(agreement_fixtures.make_commitment)(world)
    made = {}
    for target in ("in", "out", "other"):
        project = world_project(world, target)
        agreement = make_agreement(project=project, number=f"TZXY-API-{target}")
        made[target] = {
            "obligation": agreement.obligations.order_by("id").first().pk,
            "commitment": make_commitment(project=project).pk,
        }
    return made


def build(world) -> dict:
    by_target = {t: {"project": world_project(world, t).pk} for t in ("in", "out", "other")}
    cases = approvals.build(world)["case"]
    report_rows = reports.build(world)
    signed = _signed(world)
    for kind, rows in (
        ("case", cases),
        ("need", needs.build(world)),
        ("complaint", complaints.build(world)),
        ("visit", inspections.build(world)),
    ):
        for target, pk in rows.items():
            by_target[target][kind] = pk
    for target in by_target:
        by_target[target]["report"] = report_rows[target]["report"]
        by_target[target].update(signed[target])
    return by_target


def url(objects, route: str, target: str | None) -> str:
    name = route.split("#")[0]
    kind = API_ROUTES[route][0]
    if kind is None:
        path = reverse(name)
        if route == "api:portal-inspection-check":
            # The check of the contact's own visit's code (a refused caller learns nothing).
            from zhaoshang.inspections.models import InspectionVisit

            code = InspectionVisit.objects.get(pk=objects["in"]["visit"]).code
            return f"{path}?code={code}"
        return path
    return reverse(name, args=[objects[target][kind]])


def _counts() -> tuple[int, ...]:
    """The rows a portal write may add: needs, complaints, reports, documents, ratings."""
    from zhaoshang.complaints.models import Complaint
    from zhaoshang.projects.models import DocumentVersion, MonthlyReport
    from zhaoshang.ratings.models import Rating
    from zhaoshang.service.models import Need

    return tuple(
        m.objects.count() for m in (Need, Complaint, MonthlyReport, DocumentVersion, Rating)
    )


def writes_nothing(objects, route: str, target: str | None):
    """A refused request (every one of this matrix but a read's 200) adds no row."""
    before = _counts()

    def check(who, status):
        if status >= 400:
            assert _counts() == before, f"{who}: {status} but rows were written"

    return check


globals().update(built_once_per_module(build))
globals().update(
    Matrix(
        API_ROUTES,
        expected,
        url,
        namespaces=None,
        check=writes_nothing,
        anonymous_methods=(),
        name="portal_api_permission_matrix",
    ).tests()
)


def test_every_portal_api_route_is_in_the_matrix():
    from zhaoshang.portal.api.router import router

    keys = set()
    for pattern in router.urls:
        methods = set(pattern.callback.actions)
        if methods & {"get"}:
            keys.add(f"api:{pattern.name}")
        if "post" in methods:
            keys.add(f"api:{pattern.name}" + ("#create" if "get" in methods else ""))
    assert keys == set(API_ROUTES)


@pytest.mark.parametrize("route", list(API_ROUTES))
def test_anonymous_callers_are_refused(matrix_objects, db, route):
    target = "in" if API_ROUTES[route][0] else None
    path = url(matrix_objects, route, target)
    client = Client()
    before = _counts()
    response = client.post(path, {}) if API_ROUTES[route][2] == "POST" else client.get(path)
    assert response.status_code in (401, 403), path
    assert _counts() == before


def test_every_portal_api_route_is_in_the_openapi_document(client):
    """Point 9 of the service hall: the enterprise's systems find every resource and action
    (with each method) in the OpenAPI document."""
    import re

    from zhaoshang.portal.api.router import router

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for pattern in router.urls:
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{id}", str(pattern.pattern)).strip("^$")
        documented = schema["paths"].get(f"/api/v1/portal/{path}")
        assert documented is not None, path
        # (DRF adds "head" beside "get" once a route has answered: not documented)
        assert set(pattern.callback.actions) - {"head"} <= set(documented), path


def _staff_list_routes() -> list[str]:
    from zhaoshang.urls_api import router

    return sorted(f"api:{p.name}" for p in router.urls if p.name.endswith("-list"))


@pytest.mark.parametrize("route", _staff_list_routes())
def test_a_contacts_token_is_refused_by_every_staff_resource(world, route):
    """The other side: a contact's token (its session alike) opens no staff resource."""
    from zhaoshang.api.services import issue_token

    _token, key = issue_token(world.user_enterprise, name="ERP")
    response = Client().get(reverse(route), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 403, route
