"""Every role × every page route × an in-scope, an out-of-scope and an other-district object.

Generated from the URL resolver: a new page route without an entry in ROUTES fails
``test_every_page_route_is_in_the_matrix``, so nothing is hand-picked or forgotten.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhaoshang.approvals import permissions as approval_permissions
from zhaoshang.approvals.actions import ACTIONS
from zhaoshang.core.testing import ROLE_USERS, assert_statuses, each_person

# Extra people of the world: the project team of project1_a and a department outsider.
PEOPLE = [*ROLE_USERS, "manager", "secretary", "officer", "outsider", "bureau_b"]

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "view" (can see it), "record" (registry editors + project team), "edit"
# (registry editors), "team" (registry editors), "portal" (enterprise users only),
# "import_report" (registry editors; with no refused import in the session they are sent
# back to the import page)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "home": (None, "staff", "GET"),
    "projects:list": (None, "staff", "GET"),
    "projects:export": (None, "staff", "GET"),
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
    "projects:document_download": ("document", "view", "GET"),
    "projects:funds": ("project", "view", "GET"),
    "projects:progress": ("project", "view", "GET"),
    "projects:photo": ("photo", "view", "GET"),
    "projects:history": ("project", "view", "GET"),
    "enterprises:list": (None, "staff", "GET"),
    "enterprises:export": (None, "staff", "GET"),
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
# Every action on a case is a route of its own; what it needs follows the rule it checks.
for _action in ACTIONS:
    _needs = "transfer" if _action.allowed is approval_permissions.can_transfer else "handle"
    if _action.slug == "materials-complete":
        _needs = "materials"  # the holding department, or whoever registers cases
    ROUTES["approvals:case_" + _action.slug.replace("-", "_")] = ("case", _needs, "POST")

NOT_PAGES = {
    "admin_view_on_site",  # part of the admin: its matrix covers it
    "healthz",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "set_language",
}

EDITORS = {"admin", "bureau", "secretary", "bureau_b"}  # secretary holds the bureau role
TEAM_OF_P1A = {"manager", "secretary", "officer"}
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


def _page_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in ("admin",) or str(p.pattern).startswith(("api/", "i18n/")):
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    return names


# Apps with a matrix of their own (``zhaoshang/<app>/tests/test_permission_matrix.py`` with
# a ``ROUTES`` dict of the same shape, generated over ``PEOPLE`` and the three targets).
APP_MATRICES = (
    "zhaoshang.service",
    "zhaoshang.meetings",
    "zhaoshang.agreements",
    "zhaoshang.complaints",
    "zhaoshang.monitoring",
    "zhaoshang.inspections",
    "zhaoshang.exits",
    "zhaoshang.land",
    "zhaoshang.assessment",
    "zhaoshang.kpis",
    "zhaoshang.reports",
    "zhaoshang.api",
    "zhaoshang.ops",
)


def _app_matrix_routes() -> set[str]:
    import importlib

    names: set[str] = set()
    for app in APP_MATRICES:
        try:
            module = importlib.import_module(f"{app}.tests.test_permission_matrix")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.tests.test_permission_matrix":
                raise
            continue
        names |= set(module.ROUTES)
    return names


def test_every_page_route_is_in_the_matrix():
    missing = _page_route_names() - set(ROUTES) - NOT_PAGES - _app_matrix_routes()
    assert not missing, f"add these routes to the permission matrix: {sorted(missing)}"


def _objects(world, kind: str, target: str):
    """The object a URL points at, for the three targets."""
    project = {"in": world.project1_a, "out": world.project2_a, "other": world.project1_b}[target]
    if kind == "project":
        return project
    if kind == "enterprise":
        return project.enterprise
    return project


def _visible_project(who: str, target: str) -> bool:
    if who == "city":
        return True
    if who == "bureau_b":
        return target == "other"
    if who == "park":  # park committee of park1: project1_a only
        return target == "in"
    if who == "enterprise":  # enterprise1_a: project1_a only
        return target == "in"
    return target in ("in", "out")


def _own_district(who: str, target: str) -> bool:
    return who != "city" and (who == "bureau_b") == (target == "other")


def _may_act_on_case(who: str, needs: str, target: str) -> bool:
    """The holding department and admins handle; the service center also transfers;
    whoever registers cases may also record complete materials."""
    if not _own_district(who, target):
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


def _visible_enterprise(who: str, target: str) -> bool:
    if who == "city":
        return True
    if who == "bureau_b":
        return target == "other"
    if who == "enterprise":
        return target == "in"
    return target in ("in", "out")


def _expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if who == "enterprise" and route == "home":
        return 302  # enterprise users are sent to their portal
    if who == "enterprise" and needs not in ("portal", "any", "own"):
        return 403
    if needs == "portal":
        if who != "enterprise":
            return 403
        return 200 if target is None or _visible_project(who, target) else 404
    if needs in ("any", "own"):
        return 302 if method == "POST" or route == "notifications:open" else 200
    if needs == "calendar":
        if who != "admin":
            return 403
        return 302 if method == "POST" else 200
    if needs == "staff":
        return 200
    if needs == "create":
        return 200 if who in EDITORS else 403
    if needs == "import_report":
        return 302 if who in EDITORS else 403
    if kind == "enterprise":
        visible = _visible_enterprise(who, target)
    elif kind == "item":
        visible = _visible_item(who, target)
    else:  # a project, or a case (visible with its project)
        visible = _visible_project(who, target)
    if not visible:
        return 404
    if needs == "view":
        return 200
    if needs in CASE_ACTION_NEEDS | {"register", "joint", "catalogue"}:
        if needs in CASE_ACTION_NEEDS:
            allowed = _may_act_on_case(who, needs, target)
        elif needs == "register":
            allowed = who in REGISTRARS and _own_district(who, target)
        elif needs == "joint":
            allowed = who in JOINT_DECIDERS and _own_district(who, target)
        else:  # the catalogue: the district's administrator
            allowed = who == "admin" and target != "other"
        if not allowed:
            return 403
        return 400 if method == "POST" else 200  # an empty form is refused, nothing changes
    mine = (target == "in" and who in EDITORS | TEAM_OF_P1A) or (
        who in EDITORS and ((who == "bureau_b") == (target == "other"))
    )
    if needs == "record":
        allowed = mine
    else:  # edit, team
        allowed = who in EDITORS and ((who == "bureau_b") == (target == "other"))
    if not allowed:
        return 403
    return (
        400
        if method == "POST" and route != "projects:team_remove"
        else (302 if method == "POST" else 200)
    )


def _cases():
    for route, (kind, _needs, _method) in ROUTES.items():
        targets = (
            [None] if kind in (None, "notification", "calendar_year") else ["in", "out", "other"]
        )
        for target in targets:
            yield pytest.param(route, target, id=f"{route}-{target}")


@pytest.fixture
def documents(world):
    """One document version and one progress photo on each project of the matrix."""
    import datetime
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from zhaoshang.projects.models import (
        DocumentVersion,
        MaterialType,
        MonthlyReport,
        MonthlyReportPhoto,
        ProjectDocument,
    )

    made = {}
    material = MaterialType.objects.get(code="business_license")
    for target, project in (
        ("in", world.project1_a),
        ("out", world.project2_a),
        ("other", world.project1_b),
    ):
        doc = ProjectDocument.objects.create(project=project, material_type=material)
        version = DocumentVersion(
            document=doc,
            number=1,
            original_name="a.pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=world.user_admin,
        )
        version.file.save("a.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
        version.save()
        report = MonthlyReport.objects.create(
            project=project,
            month=datetime.date(2026, 5, 1),
            investment_this_month=Decimal("1"),
            investment_cumulative=Decimal("1"),
            image_progress="x",
            submitted_by=world.user_admin,
            submitted_at=timezone.now(),
        )
        photo = MonthlyReportPhoto(report=report)
        photo.image.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n0000"), save=False)
        photo.save()
        made[target] = (version, photo)
    return made


def _url(world, documents, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    if kind == "calendar_year":
        return reverse(route, args=[2026])
    if kind == "notification":
        from zhaoshang.notifications.models import Notification

        note = Notification.objects.create(recipient=world.user_admin, verb="t", title="t", url="/")
        return reverse(route, args=[note.pk])
    project = {"in": world.project1_a, "out": world.project2_a, "other": world.project1_b}[target]
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
    obj = _objects(world, kind, target)
    return reverse(route, args=[obj.pk])


@pytest.mark.parametrize(("route", "target"), list(_cases()))
def test_permission_matrix(client_for, world, documents, route, target):
    url = _url(world, documents, route, target)
    method = ROUTES[route][2]

    def status(who):
        client = client_for(who)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        return response.status_code

    expected = {who: _expected(who, route, target) for who in PEOPLE}
    if route == "notifications:open":
        expected = {who: code if who == "admin" else 404 for who, code in expected.items()}
        # somebody else's notification
    assert_statuses(each_person(PEOPLE, status), expected, f"{method} {url}")


@pytest.mark.parametrize("route", [r for r in ROUTES if ROUTES[r][2] == "GET"])
def test_anonymous_users_are_sent_to_login(client, world, documents, route):
    kind = ROUTES[route][0]
    url = _url(world, documents, route, None if kind is None or kind == "notification" else "in")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
