"""Every person of the world × every route of the complaints app × an in-scope, an
out-of-scope and an other-district complaint.

The table of the generator (``zhaoshang/testing/matrix.py``). Expectations are the rules of SPEC §1 and
§9 written over the world.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.urls import reverse

from zhaoshang.complaints.actions import ACTIONS
from zhaoshang.complaints.models import ComplaintAttachment
from zhaoshang.complaints.tests import conftest as fixtures
from zhaoshang.testing.matrix import Matrix, own_district, visible_project
from zhaoshang.testing.shared import built_once_per_module, fixture_function

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "staff" (any government user), "receive" (who receives complaints and records
# ratings), "view" (can see it), "dispatch" (the supervision office), "handle" (the
# department complained about), "verify" (the supervision office, not on a complaint against
# its own department), "attach" (receivers and the department complained about)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "complaints:list": (None, "staff", "GET"),
    "complaints:export": (None, "staff", "GET"),
    "complaints:print": (None, "staff", "GET"),
    "complaints:create": (None, "receive", "GET"),
    "complaints:detail": ("complaint", "view", "GET"),
    "complaints:attach": ("complaint", "attach", "POST"),
    "complaints:attachment": ("attachment", "view", "GET"),
}
# The actions on a complaint (``complaints/actions.py``), each a route of its own.
for _slug, _needs in {
    "dispatch": "dispatch",
    "accept": "handle",
    "answer": "handle",
    "verify": "verify",
    "rate": "receive",
    "request_extension": "handle",
    "decide_extension": "dispatch",
}.items():
    ROUTES[f"complaints:{_slug}"] = ("complaint", _needs, "POST")

RECEIVERS = {"admin", "bureau", "supervisor", "secretary", "bureau_b"}
DISPATCHERS = {"admin", "supervisor"}
# The "in" complaint is against 建设局 (the department of these people), "out" against 国土局.
HANDLERS = {"in": {"admin", "department", "officer", "outsider"}, "out": {"admin"}}


def expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "staff":
        return 200
    if target is None:  # receiving a complaint
        return 200 if who in RECEIVERS else 403
    if not visible_project(who, target):
        return 404
    if needs == "view":
        return 200
    own = own_district(who, target)
    if needs == "receive":
        allowed = who in RECEIVERS and own
    elif needs == "dispatch":
        allowed = who in DISPATCHERS and own
    elif needs == "verify":
        # The targets are against 建设局 or 国土局, not the supervision office: the office
        # verifies them all; the department complained about never does.
        allowed = who in DISPATCHERS and own and who not in HANDLERS.get(target, set()) - {"admin"}
    elif needs == "attach":
        allowed = own and (who in RECEIVERS or who in HANDLERS.get(target, set()))
    else:  # handle
        allowed = own and who in HANDLERS.get(target, set())
    if not allowed:
        return 403
    # An empty form (or an action that does not apply yet) is refused and changes nothing.
    return 400


def _attach(complaint) -> ComplaintAttachment:
    attachment = ComplaintAttachment(
        complaint=complaint, original_name="证据.pdf", uploaded_by=complaint.received_by
    )
    attachment.file.save("evidence.pdf", ContentFile(b"%PDF-1.4 evidence"), save=False)
    attachment.save()
    return attachment


# The module's targets (the app conftest's, built once: ``built_once_per_module``).
globals().update(built_once_per_module(fixture_function(fixtures.targets)))


def url(targets, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    if kind == "attachment":
        complaint = targets[target]
        return reverse(route, args=[complaint.pk, _attach(complaint).pk])
    return reverse(route, args=[targets[target].pk])


def unchanged(targets, route: str, target: str | None):
    """A refused or an empty request leaves the complaint as it was."""
    before = targets[target].version if target else None

    def check(who, status):
        if target:
            targets[target].refresh_from_db()
            assert targets[target].version == before, who

    return check


globals().update(Matrix(ROUTES, expected, url, namespaces=["complaints"], check=unchanged).tests())


API = "/api/v1/complaints/"
# The API's actions on a complaint: the same rules as the page's (one action table).
API_ROUTES: dict[str, tuple[str | None, str, str]] = {
    action.slug: ROUTES[f"complaints:{action.slug}"] for action in ACTIONS
}


def api_expected(who: str, route: str, target: str | None) -> int:
    status = expected(who, f"complaints:{route}", target)
    # The API's dispatch may leave out the department (it keeps the one received): those
    # who may dispatch do, with an empty body.
    return 200 if route == "dispatch" and status == 400 else status


def api_unchanged(targets, route: str, target: str | None):
    """A refused request leaves the complaint as it was (each person's request is rolled
    back after it)."""
    check = unchanged(targets, route, target)
    return lambda who, status: status == 200 or check(who, status)


def api_url(targets, route: str, target: str | None) -> str:
    return f"{API}{targets[target].pk}/{route}/"


globals().update(
    Matrix(
        API_ROUTES,
        api_expected,
        api_url,
        namespaces=None,
        check=api_unchanged,
        anonymous_methods=(),
        name="api_permission_matrix",
    ).tests()
)
