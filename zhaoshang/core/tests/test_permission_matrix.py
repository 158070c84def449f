"""Every role × every page route of the platform (the home page, projects, enterprises,
notifications, the portal, approvals, the calendar) × an in-scope, an out-of-scope and an
other-district object: the table of the generator (``zhaoshang/testing/matrix.py``).

A new page route without an entry in this table or in an app's own fails
``zhaoshang/testing/tests/test_matrix_coverage.py``.
"""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.testing.matrix import (
    EDITORS,
    TEAM_OF_P1A,
    Matrix,
    own_district,
    visible_enterprise,
    visible_project,
    world_project,
)
from zhaoshang.testing.shared import built_once_per_module

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "view" (can see it), "record" (registry editors + project team), "edit"
# (registry editors), "team" (registry editors), "portal" (enterprise users only),
# "import_report" (registry editors; with no refused import in the session they are sent
# back to the import page)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "home": (None, "staff", "GET"),
    "projects:list": (None, "staff", "GET"),
    "projects:export": (None, "staff", "GET"),
    "projects:autocomplete": (None, "staff", "GET"),
    "projects:print": (None, "staff", "GET"),
    "projects:create": (None, "create", "GET"),
    "projects:import": (None, "create", "GET"),
    "projects:import_template": (None, "create", "GET"),
    "projects:import_report": (None, "import_report", "GET"),
    "projects:detail": ("project", "view", "GET"),
    "projects:edit": ("project", "edit", "GET"),
    "projects:team": ("project", "view", "GET"),
    "projects:team_add": ("project", "team", "POST"),
    "projects:team_remove": ("team_member", "team", "POST"),
    "projects:timeline": ("project", "view", "GET"),
    "projects:stage": ("project", "record", "GET"),
    "projects:condition": ("project", "record", "GET"),
    "projects:documents": ("project", "view", "GET"),
    "projects:document_upload": ("project", "record", "POST"),
    "projects:document_confirm": ("project", "record", "POST"),
    "projects:document_download": ("document", "view", "GET"),
    "projects:funds": ("project", "view", "GET"),
    "projects:progress": ("project", "view", "GET"),
    "projects:photo": ("photo", "view", "GET"),
    "projects:history": ("project", "view", "GET"),
    "projects:backfill": (None, "staff", "GET"),
    "enterprises:list": (None, "staff", "GET"),
    "enterprises:export": (None, "staff", "GET"),
    "enterprises:autocomplete": (None, "staff", "GET"),
    "enterprises:create": (None, "create", "GET"),
    "enterprises:import": (None, "create", "GET"),
    "enterprises:import_template": (None, "create", "GET"),
    "enterprises:import_report": (None, "import_report", "GET"),
    "enterprises:detail": ("enterprise", "view", "GET"),
    "enterprises:edit": ("enterprise", "edit", "GET"),
    "notifications:inbox": (None, "any", "GET"),
    "notifications:read_all": (None, "any", "POST"),
    "notifications:open": ("notification", "own", "GET"),
    "portal:home": (None, "portal", "GET"),
    "portal:project": ("project", "portal", "GET"),
    "approvals:worklist": (None, "staff", "GET"),
    "approvals:export": (None, "staff", "GET"),
    "approvals:case_autocomplete": (None, "staff", "GET"),
    "approvals:catalogue": (None, "staff", "GET"),
    "approvals:item": ("item", "view", "GET"),
    "approvals:item_edit": ("item", "catalogue", "GET"),
    "approvals:case": ("case", "view", "GET"),
    "approvals:project": ("project", "view", "GET"),
    "approvals:register_green_channel": ("project", "register", "POST"),
    "approvals:register": ("project", "register", "POST"),
    "approvals:joint_decision": ("project", "joint", "POST"),
    # The calendar is national: no scoped object; "calendar" = the admin role only.
    "workdays:calendar": (None, "staff", "GET"),
    "workdays:year": ("calendar_year", "staff", "GET"),
    "workdays:import": (None, "calendar", "GET"),
    "workdays:publish": ("calendar_year", "calendar", "POST"),
}
# Every action on a case (``approvals/actions.py``) is a route of its own; what it needs
# follows the rule it checks: the holding department handles, the service center also
# transfers, whoever registers cases also records complete materials.
for _slug, _needs in {
    "materials_complete": "materials",
    "accept": "handle",
    "start": "handle",
    "complete": "handle",
    "pause": "handle",
    "resume": "handle",
    "fulfil_pledge": "handle",
    "extend": "handle",
    "report": "handle",
    "transfer": "transfer",
    "return": "handle",
}.items():
    ROUTES[f"approvals:case_{_slug}"] = ("case", _needs, "POST")

# Approvals (world: case_a on project1_a is held by 建设局, the department of "department",
# "officer" and "outsider"; case_out_a on project2_a by 国土局; case_b is in district b).
WORKS_HANDLERS_A = {"department", "officer", "outsider"}
REGISTRARS = {"service_center", "bureau", "admin", "secretary", "bureau_b"}  # 统一受理
JOINT_DECIDERS = REGISTRARS | {"leader", "manager"}
CASE_ACTION_NEEDS = {"handle", "transfer", "materials"}
DISTRICT_WIDE_A = {
    "admin",
    "bureau",
    "leader",
    "department",
    "service_center",
    "supervisor",
    "manager",
    "secretary",
    "officer",
    "outsider",
}


def _may_act_on_case(who: str, needs: str, target: str) -> bool:
    """The holding department and admins handle; the service center also transfers;
    whoever registers cases may also record complete materials."""
    if not own_district(who, target):
        return False
    handles = who == "admin" or (who in WORKS_HANDLERS_A and target == "in")
    if needs == "transfer":
        return handles or who == "service_center"
    if needs == "materials":
        return handles or who in REGISTRARS
    return handles


def _visible_item(who: str, target: str) -> bool:
    """The catalogue is reference data: everybody of the district reads it."""
    if who == "city":
        return True
    return (target == "other") == (who == "bureau_b")


def _without_object(who: str, route: str, needs: str, method: str) -> int | None:
    """The status when the object does not matter (None: it does)."""
    if who == "enterprise" and route == "home":
        return 302  # enterprise users are sent to their portal
    if who == "enterprise" and needs not in ("portal", "any", "own"):
        return 403
    if needs == "portal" and who != "enterprise":
        return 403
    if needs in ("any", "own"):
        return 302 if method == "POST" else 200
    if needs == "calendar":
        if who != "admin":
            return 403
        return 302 if method == "POST" else 200
    return {
        "staff": 200,
        "create": 200 if who in EDITORS else 403,
        "import_report": 302 if who in EDITORS else 403,
    }.get(needs)


def _visible(who: str, kind: str, target: str) -> bool:
    if kind == "enterprise":
        return visible_enterprise(who, target)
    if kind == "item":
        return _visible_item(who, target)
    return visible_project(who, target)  # a project, or a case (visible with its project)


def _allowed(who: str, needs: str, target: str) -> bool:
    if needs in CASE_ACTION_NEEDS:
        return _may_act_on_case(who, needs, target)
    if needs == "register":
        return who in REGISTRARS and own_district(who, target)
    if needs == "joint":
        return who in JOINT_DECIDERS and own_district(who, target)
    if needs == "catalogue":  # the district's administrator
        return who == "admin" and target != "other"
    if needs == "record":  # registry editors of the district and the team of project1_a
        return (target == "in" and who in TEAM_OF_P1A) or (
            who in EDITORS and own_district(who, target)
        )
    return who in EDITORS and own_district(who, target)  # edit, team


def expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if route == "notifications:open":  # somebody else's (the admin's) notification
        return 302 if who == "admin" else 404
    status = _without_object(who, route, needs, method)
    if status is not None:
        return status
    if target is None:  # the portal's home
        return 200
    if not _visible(who, kind, target):
        return 404
    if needs in ("view", "portal"):
        return 200
    if not _allowed(who, needs, target):
        return 403
    if method == "GET":
        return 200
    return 302 if route == "projects:team_remove" else 400  # an empty form is refused


def targets_for(route: str) -> list:
    kind = ROUTES[route][0]
    return [None] if kind in (None, "notification", "calendar_year") else ["in", "out", "other"]


def documents(world):
    """One document version and one progress photo on each project of the matrix (built
    once for the module: ``built_once_per_module``)."""
    from django.core.files.base import ContentFile

    from zhaoshang.projects.models import MonthlyReportPhoto
    from zhaoshang.testing.factories import DocumentVersionFactory, MonthlyReportFactory

    made = {}
    for target in ("in", "out", "other"):
        project = world_project(world, target)
        version = DocumentVersionFactory(
            document__project=project,
            document__material_type__code="business_license",
            uploaded_by=world.user_admin,
        )
        report = MonthlyReportFactory(project=project, submitted_by=world.user_admin)
        photo = MonthlyReportPhoto(report=report)
        photo.image.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n0000"), save=False)
        photo.save()
        made[target] = (version, photo)
    return made


globals().update(built_once_per_module(documents, per_test=lambda world, made: (world, made)))


def url(objects, route: str, target: str | None) -> str:
    world, documents = objects
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    if kind == "calendar_year":
        return reverse(route, args=[2026])
    if kind == "notification":
        from zhaoshang.notifications.models import Notification

        note = Notification.objects.create(recipient=world.user_admin, verb="t", title="t", url="/")
        return reverse(route, args=[note.pk])
    project = world_project(world, target)
    if kind == "team_member":
        member = project.team_members.first()
        if member is None:
            from zhaoshang.projects.models import ProjectTeamMember

            member = ProjectTeamMember.objects.create(
                project=project, user=world.user_leader, role="manager"
            )
        return reverse(route, args=[project.pk, member.pk])
    if kind == "document":
        return reverse(route, args=[project.pk, documents[target][0].pk])
    if kind == "photo":
        return reverse(route, args=[project.pk, documents[target][1].pk])
    if kind == "case":
        case = {"in": world.case_a, "out": world.case_out_a, "other": world.case_b}[target]
        return reverse(route, args=[case.pk])
    if kind == "item":
        item = {"in": world.item_works_a, "out": world.item_land_a, "other": world.item_works_b}
        return reverse(route, args=[item[target].pk])
    if kind == "enterprise":
        return reverse(route, args=[project.enterprise_id])
    return reverse(route, args=[project.pk])


globals().update(Matrix(ROUTES, expected, url, namespaces=None, targets_for=targets_for).tests())
