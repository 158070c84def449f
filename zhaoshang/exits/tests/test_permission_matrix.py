"""Every person of the world × every route of the exits app × an in-scope, an out-of-scope
and an other-district warning.

The table of the generator (``zhaoshang/testing/matrix.py``). Expectations are the rules of SPEC §1 and
§11 written over the world: the supervision office, the bureau and admins act; leaders,
departments and the service center read; the park committee reads its park's projects;
city users read everything; enterprise users have no staff page.
"""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.exits.models import ExitStep
from zhaoshang.exits.tests import conftest as fixtures
from zhaoshang.exits.tests.factories import pdf
from zhaoshang.testing.matrix import Matrix, own_district, visible_project
from zhaoshang.testing.shared import built_once_per_module, fixture_function

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "staff" (any government user), "view" (can see it), "act" (the supervision
# office, the bureau and admins of the district)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "exits:list": (None, "staff", "GET"),
    "exits:export": (None, "staff", "GET"),
    "exits:detail": ("warning", "view", "GET"),
    "exits:document": ("document", "view", "GET"),
}
ACTION_SLUGS = ("notice", "clearance", "recover", "confirm_delay")  # exits/actions.py
for _slug in ACTION_SLUGS:
    ROUTES[f"exits:{_slug}"] = ("warning", "act", "POST")

# secretary holds the bureau role; bureau_b acts in district b only.
ACTORS = {"admin", "bureau", "supervisor", "secretary", "bureau_b"}


def expected(who: str, route: str, target: str | None) -> int:
    _kind, needs, _method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "staff":
        return 200
    if not visible_project(who, target):
        return 404
    if needs == "view":
        return 200
    if not (who in ACTORS and own_district(who, target)):
        return 403
    return 400  # an empty form is refused and changes nothing


def _step(warning) -> ExitStep:
    step = ExitStep(
        warning=warning,
        kind="notice",
        occurred_on=warning.raised_on,
        original_name="通知书.pdf",
        recorded_by=_any_user(),
    )
    step.document.save("notice.pdf", pdf(), save=False)
    step.save()
    return step


def _any_user():
    from zhaoshang.org.models import User

    return User.objects.get(username="admin")


# The module's targets (the app conftest's, built once: ``built_once_per_module``).
globals().update(built_once_per_module(fixture_function(fixtures.targets)))


def url(targets, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    warning = targets[target]
    if kind == "document":
        return reverse(route, args=[warning.pk, _step(warning).pk])
    return reverse(route, args=[warning.pk])


def unchanged(targets, route: str, target: str | None):
    """A refused or an empty request leaves the warning as it was."""
    before = targets[target].version if target else None

    def check(who, status):
        if target:
            targets[target].refresh_from_db()
            assert targets[target].version == before, who

    return check


globals().update(Matrix(ROUTES, expected, url, namespaces=["exits"], check=unchanged).tests())


API = "/api/v1/warnings/"
# The API's routes: the list, a warning, and each action on it.
API_ROUTES: dict[str, tuple[str | None, str, str]] = {
    "list": (None, "staff", "GET"),
    "detail": ("warning", "view", "GET"),
    **dict.fromkeys(ACTION_SLUGS, ("warning", "act", "POST")),
}


def api_expected(who: str, route: str, target: str | None) -> int:
    if who == "enterprise":
        return 403
    if route == "list":
        return 200
    if not visible_project(who, target):
        return 404
    if route == "detail":
        return 200
    if who == "city":
        return 403  # read-only everywhere
    if not (who in ACTORS and own_district(who, target)):
        return 403
    return 400


def api_url(targets, route: str, target: str | None) -> str:
    if route == "list":
        return API
    if route == "detail":
        return f"{API}{targets[target].pk}/"
    return f"{API}{targets[target].pk}/{route}/"


globals().update(
    Matrix(
        API_ROUTES,
        api_expected,
        api_url,
        namespaces=None,
        check=unchanged,
        anonymous_methods=(),
        name="api_permission_matrix",
    ).tests()
)
