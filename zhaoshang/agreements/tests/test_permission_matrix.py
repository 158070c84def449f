"""Every person of the world × every agreements page route × an in-scope, an out-of-scope
and an other-district object (SPEC §1): the table of the generator (``zhaoshang/testing/matrix.py``).

The world's objects (see ``records``, built once for the module): an agreement with its obligations and a
service commitment, filed to the archive, on project1_a ("in": park1, whose committee is
the "park" user's; its team is manager, secretary and officer; the commitment is 建设局's,
the department of "department", "officer" and "outsider"), project2_a ("out": park2, the
commitment 国土局's) and project1_b ("other" district, 建设局 of district b).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import ArchiveVersion, ChangeRequest
from zhaoshang.agreements.tests import conftest as fixtures
from zhaoshang.agreements.tests.conftest import pdf
from zhaoshang.projects.models import Project
from zhaoshang.testing import matrix as core
from zhaoshang.testing.matrix import Matrix
from zhaoshang.testing.shared import built_once_per_module, fixture_function

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "staff" (any government user), "view" (sees the object), "edit" (the bureau and
# admins of the district: agreements and their obligations), "confirm" (an enterprise
# obligation: editors and the project team), "commit" (editors, and department handlers
# for their own department), "manage" (editors and the handlers of the committing
# department), "progress" (also the milestone's owner department and person), "decide"
# (a change request of a filed commitment: the park committee of the project's park and
# the district's supervision office, never the committing department).
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "agreements:project": ("project", "view", "GET"),
    "agreements:create": ("new_project", "edit", "GET"),
    "agreements:edit": ("agreement", "edit", "GET"),
    "agreements:obligation_create": ("agreement", "edit", "GET"),
    "agreements:obligation": ("obligation", "view", "GET"),
    "agreements:obligation_edit": ("further_obligation", "edit", "GET"),
    "agreements:obligation_confirm": ("obligation", "confirm", "POST"),
    "agreements:obligation_waive": ("obligation", "edit", "POST"),
    "agreements:obligation_evidence": ("obligation", "view", "GET"),
    "agreements:commitments": (None, "staff", "GET"),
    "agreements:milestones": (None, "staff", "GET"),
    "agreements:key_gantt": (None, "staff", "GET"),
    "agreements:archive": (None, "staff", "GET"),
    "agreements:commitment_create": ("project", "commit", "GET"),
    "agreements:commitment": ("commitment", "view", "GET"),
    "agreements:gantt": ("commitment", "view", "GET"),
    "agreements:commitment_edit": ("commitment", "manage", "GET"),
    "agreements:commitment_file": ("commitment", "manage", "POST"),
    "agreements:compare": ("commitment", "view", "GET"),
    "agreements:milestone_progress": ("milestone", "progress", "POST"),
    "agreements:milestone_reschedule": ("milestone", "manage", "POST"),
    "agreements:version": ("version", "view", "GET"),
    "agreements:change_request": ("commitment", "manage", "POST"),
    "agreements:change": ("change", "view", "GET"),
    "agreements:change_action": ("change", "decide", "POST"),
}

TARGETS = ("in", "out", "other")
# The committing department's handlers of each target's commitment (建设局 of district a
# for "in"; nobody of PEOPLE works in 国土局 ("out") or in district b's 建设局).
HANDLERS = {"in": {"department", "officer", "outsider"}, "out": set(), "other": set()}
DEPARTMENT_HANDLERS_A = {"department", "officer", "outsider"}


def _allowed(who: str, needs: str, target: str) -> bool:
    own = core.own_district(who, target)
    editor = who in core.EDITORS and own
    if needs == "edit":
        return editor
    if needs == "confirm":
        return editor or (target == "in" and who in core.TEAM_OF_P1A)
    if needs == "commit":
        return editor or (own and who in DEPARTMENT_HANDLERS_A)
    if needs in ("manage", "progress"):
        return editor or who in HANDLERS[target]
    if needs == "decide":
        return own and (who == "supervisor" or (who == "park" and target == "in"))
    raise AssertionError(needs)


def expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if who == "enterprise":
        return 403  # the staff pages are not theirs (PortalBoundaryMiddleware)
    if needs == "staff":
        return 200
    if not core.visible_project(who, target):
        return 404
    if needs == "view":
        return 200
    if who == "city" or not _allowed(who, needs, target):
        return 403
    return 400 if method == "POST" else 200  # an empty form is refused, nothing changes


def _project(world, target: str) -> Project:
    return {"in": world.project1_a, "out": world.project2_a, "other": world.project1_b}[target]


def records(world):
    """On each target project, written through the services (once for the module:
    ``built_once_per_module``): an agreement (its tax term confirmed with an evidence file),
    a department's further obligation, a commitment with its schedule, an archived version;
    and a signed project without an agreement."""
    with translation.override("en"):  # as the tests' services answer (conftest.py)
        return _records(world)


def _records(world):
    make_agreement = fixture_function(fixtures.make_agreement)(world)
    make_commitment = fixture_function(fixtures.make_commitment)(world)
    made = {}
    departments = {"in": world.dept_works_a, "out": world.dept_land_a, "other": world.dept_works_b}
    parks = {"in": world.park1_a, "out": world.park2_a, "other": world.park1_b}
    for n, target in enumerate(TARGETS, 1):
        project = _project(world, target)
        bureau = world.user_bureau if target != "other" else world.user_bureau_b
        agreement = make_agreement(project)
        tax = agreement.obligations.get(term="tax")
        services.confirm_obligation(
            bureau, tax, met_on=datetime.date(2026, 6, 1), evidence=pdf(), note="完税证明"
        )
        further = services.add_obligation(
            bureau,
            agreement,
            party=Party.DEPARTMENT,
            department=departments[target],
            kind=ObligationKind.SERVICE,
            title="交付净地",
            target_text="完成场地平整并移交",
            due_on=datetime.date(2026, 8, 31),
        )
        commitment = make_commitment(project, departments[target], bureau)
        version = ArchiveVersion.objects.create(
            district_id=project.district_id,
            commitment=commitment,
            number=1,
            park=project.park,
            committee=world.dept_committee_a if target != "other" else world.dept_committee_b,
            filed_by=bureau,
            content=services.snapshot(commitment),
        )
        fresh = Project.objects.create(
            district_id=project.district_id,
            code=f"ZS-2026-09{n:02d}",
            name=f"待录协议项目{n}",
            enterprise=project.enterprise,
            park=parks[target],
            total_investment=Decimal("3000"),
            stage="signed",
            signed_on=datetime.date(2026, 5, 6),
        )
        made[target] = {
            "project": project,
            "new_project": fresh,
            "agreement": agreement,
            "obligation": tax,
            "further_obligation": further,
            "commitment": commitment,
            "milestone": commitment.milestones.first(),
            "version": version,
            "change": ChangeRequest.objects.create(
                district_id=project.district_id,
                commitment=commitment,
                reason="联席会议决定顺延",
                old_target_on=commitment.target_on,
                filed_version=1,
                requested_by=bureau,
            ),
        }
    return made


globals().update(built_once_per_module(records))


def url(records, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    if route == "agreements:change_action":
        return reverse(route, args=[records[target][kind].pk, "approve"])
    return reverse(route, args=[records[target][kind].pk])


globals().update(Matrix(ROUTES, expected, url, namespaces=["agreements"]).tests())
