"""Every person of the world × every route of the meetings app × an in-scope, an
out-of-scope and an other-district meeting or action item.

The table of the generator (``zhaoshang/testing/matrix.py``). Expectations are the rules of SPEC §1 and
§10 written over the world, not hand-picked answers.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.urls import reverse

from zhaoshang.meetings.models import ActionProgress
from zhaoshang.meetings.tests import conftest as fixtures
from zhaoshang.testing.matrix import Matrix, own_district, visible_project
from zhaoshang.testing.shared import built_once_per_module, fixture_function

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "staff" (any government user), "schedule" (meeting organisers), "assign" (who
# assigns action items directly), "view" (can see it), "file" (can see it; it has a file),
# "manage" (organisers of the meeting's district), "joint" (organisers who may also record
# approvals' joint decisions), "own" (the item's owner), "supervise" (the supervision office)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "meetings:list": (None, "staff", "GET"),
    "meetings:create": (None, "schedule", "GET"),
    "meetings:detail": ("meeting", "view", "GET"),
    "meetings:edit": ("meeting", "manage", "GET"),
    "meetings:agenda_add": ("meeting", "manage", "POST"),
    "meetings:agenda_remove": ("agenda_item", "manage", "POST"),
    "meetings:held": ("meeting", "manage", "POST"),
    "meetings:minutes": ("meeting", "manage", "POST"),
    "meetings:minutes_file": ("meeting", "file", "GET"),
    "meetings:decision_create": ("meeting", "manage", "GET"),
    "meetings:joint_decision": ("meeting", "joint", "GET"),
    "meetings:board": (None, "staff", "GET"),
    "meetings:board_export": (None, "staff", "GET"),
    "meetings:board_print": (None, "staff", "GET"),
    "meetings:worklist": (None, "staff", "GET"),
    "meetings:action_item_create": (None, "assign", "GET"),
    "meetings:action_item": ("item", "view", "GET"),
    "meetings:action_item_edit": ("item", "supervise", "GET"),
    "meetings:action_item_file": ("item_file", "file", "GET"),
}
# The actions on an action item (``meetings/actions.py``).
ROUTES.update(
    {
        "meetings:action_item_progress": ("item", "own", "POST"),
        "meetings:action_item_complete": ("item", "own", "POST"),
        "meetings:action_item_close": ("item", "supervise", "POST"),
        "meetings:action_item_return": ("item", "supervise", "POST"),
    }
)

ORGANISERS = {"admin", "bureau", "leader", "supervisor", "manager", "secretary", "bureau_b"}
ASSIGNERS = {"admin", "leader", "supervisor", "manager"}
JOINT_DECIDERS = ORGANISERS - {"supervisor"}  # the approvals' rule: no supervision office
SUPERVISORS = {"admin", "supervisor"}
# The "in" item is owned by 建设局 (the department of these people), the "out" one by 国土局.
OWNERS = {"in": {"admin", "department", "officer", "outsider"}, "out": {"admin"}, "other": set()}


def expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "staff":
        return 200
    if needs in ("schedule", "assign"):
        allowed = who in (ORGANISERS if needs == "schedule" else ASSIGNERS)
        return 200 if allowed else 403
    # Meetings and action items of the targets are visible exactly like their projects.
    if not visible_project(who, target):
        return 404
    if needs in ("view", "file"):
        return 200
    own = own_district(who, target)
    if needs == "manage":
        allowed = who in ORGANISERS and own
    elif needs == "joint":
        allowed = who in JOINT_DECIDERS and own
    elif needs == "supervise":
        allowed = who in SUPERVISORS and own
    else:  # own
        allowed = who in OWNERS[target]
    if not allowed:
        return 403
    if method == "GET":
        return 200
    # An empty form is refused and changes nothing; removing an agenda item redirects.
    return 302 if route == "meetings:agenda_remove" else 400


def files(targets, world):
    """A minutes file on each meeting and an evidence file on each action item."""
    made = {}
    for target, meeting in targets["meeting"].items():
        meeting.minutes_file_name = "纪要.pdf"
        meeting.minutes_file.save("纪要.pdf", ContentFile(b"%PDF-1.4 minutes"), save=True)
        item = targets["item"][target]
        entry = ActionProgress(
            action_item=item,
            recorded_on=item.start_on,
            text="进展",
            by=world.user_admin,
            file_name="佐证.pdf",
        )
        entry.file.save("佐证.pdf", ContentFile(b"%PDF-1.4 evidence"), save=True)
        made[target] = entry
    return made


def build(world):
    """The app conftest's meetings and action items with their files, built once for the
    module (``built_once_per_module``)."""
    targets = fixture_function(fixtures.targets)(world)
    return targets, files(targets, world)


globals().update(built_once_per_module(build))


def url(objects, route: str, target: str | None) -> str:
    targets, files = objects
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    meeting, item = targets["meeting"][target], targets["item"][target]
    if kind == "meeting":
        return reverse(route, args=[meeting.pk])
    if kind == "agenda_item":
        return reverse(route, args=[meeting.pk, meeting.agenda_items.first().pk])
    if kind == "item_file":
        return reverse(route, args=[item.pk, files[target].pk])
    return reverse(route, args=[item.pk])


globals().update(Matrix(ROUTES, expected, url, namespaces=["meetings"]).tests())
