"""Every person of the world × every route of the complaints app × an in-scope, an
out-of-scope and an other-district complaint.

The core matrix (``core/tests/test_permission_matrix.py``) reads ``ROUTES`` below, so a new
route of this app without an entry fails there. Expectations are the rules of SPEC §1 and
§9 written over the world.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from zhaoshang.complaints.actions import ACTIONS
from zhaoshang.complaints.models import ComplaintAttachment
from zhaoshang.core.testing import assert_statuses, each_person
from zhaoshang.core.tests.test_permission_matrix import PEOPLE, _own_district, _visible_project

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "staff" (any government user), "receive" (who receives complaints and records
# ratings), "view" (can see it), "dispatch" (the supervision office), "handle" (the
# department complained about), "attach" (receivers and the department complained about)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "complaints:list": (None, "staff", "GET"),
    "complaints:export": (None, "staff", "GET"),
    "complaints:create": (None, "receive", "GET"),
    "complaints:detail": ("complaint", "view", "GET"),
    "complaints:attach": ("complaint", "attach", "POST"),
    "complaints:attachment": ("attachment", "view", "GET"),
}
_NEEDS = {
    "dispatch": "dispatch",
    "accept": "handle",
    "answer": "handle",
    "rate": "receive",
    "request_extension": "handle",
    "decide_extension": "dispatch",
}
for _action in ACTIONS:
    ROUTES[f"complaints:{_action.slug}"] = ("complaint", _NEEDS[_action.slug], "POST")

RECEIVERS = {"admin", "bureau", "supervisor", "secretary", "bureau_b"}
DISPATCHERS = {"admin", "supervisor"}
# The "in" complaint is against 建设局 (the department of these people), "out" against 国土局.
HANDLERS = {"in": {"admin", "department", "officer", "outsider"}, "out": {"admin"}}


def _expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "staff":
        return 200
    if target is None:  # receiving a complaint
        return 200 if who in RECEIVERS else 403
    if not _visible_project(who, target):
        return 404
    if needs == "view":
        return 200
    own_district = _own_district(who, target)
    if needs == "receive":
        allowed = who in RECEIVERS and own_district
    elif needs == "dispatch":
        allowed = who in DISPATCHERS and own_district
    elif needs == "attach":
        allowed = own_district and (who in RECEIVERS or who in HANDLERS.get(target, set()))
    else:  # handle
        allowed = own_district and who in HANDLERS.get(target, set())
    if not allowed:
        return 403
    # An empty form (or an action that does not apply yet) is refused and changes nothing.
    return 400


def _cases():
    for route, (kind, _needs, _method) in ROUTES.items():
        for target in [None] if kind is None else ["in", "out", "other"]:
            yield pytest.param(route, target, id=f"{route}-{target}")


def _attach(complaint) -> ComplaintAttachment:
    attachment = ComplaintAttachment(
        complaint=complaint, original_name="证据.pdf", uploaded_by=complaint.received_by
    )
    attachment.file.save("evidence.pdf", ContentFile(b"%PDF-1.4 evidence"), save=False)
    attachment.save()
    return attachment


def _url(targets, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    if kind == "attachment":
        complaint = targets[target]
        return reverse(route, args=[complaint.pk, _attach(complaint).pk])
    return reverse(route, args=[targets[target].pk])


@pytest.mark.parametrize(("route", "target"), list(_cases()))
def test_permission_matrix(client_for, targets, route, target):
    url = _url(targets, route, target)
    method = ROUTES[route][2]
    before = targets[target].version if target else None

    def status(who):
        client = client_for(who)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        if target:
            targets[target].refresh_from_db()
            assert targets[target].version == before, who  # nothing changed
        return response.status_code

    expected = {who: _expected(who, route, target) for who in PEOPLE}
    assert_statuses(each_person(PEOPLE, status), expected, f"{method} {url}")


@pytest.mark.parametrize("route", [r for r in ROUTES if ROUTES[r][2] == "GET"])
def test_anonymous_users_are_sent_to_login(client, targets, route):
    kind = ROUTES[route][0]
    response = client.get(_url(targets, route, None if kind is None else "in"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_route_of_the_app_is_in_the_matrix():
    from zhaoshang.core.testing import route_names

    assert route_names("complaints") == set(ROUTES)
