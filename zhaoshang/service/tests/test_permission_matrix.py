"""Every person of the world × every service page route × an in-scope, an out-of-scope and
an other-district object (SPEC §1): the table of the generator (``zhaoshang/testing/matrix.py``).

The world's objects: receipts and problems on project1_a ("in": its team is manager,
secretary and officer), project2_a ("out": no team) and project1_b ("other" district).
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from zhaoshang.service.choices import NeedCategory, ReceiptResult
from zhaoshang.service.models import Forward, Need, NeedAttachment, Receipt
from zhaoshang.testing import matrix as core
from zhaoshang.testing.matrix import Matrix, world_project
from zhaoshang.testing.shared import built_once_per_module

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "staff" (any government user), "view" (sees the object), "team" (the project team
# files receipts), "record" (team + registry editors), "edit" (registry editors), "filer"
# (who filed the receipt), "instruct" (the leader in charge), and the problem actions.
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "service:project": ("project", "view", "GET"),
    "service:receipt_create": ("project", "team", "GET"),
    "service:need_create": ("project", "record", "GET"),
    "service:second_round_create": ("project", "record", "GET"),
    "service:receipt": ("receipt", "view", "GET"),
    "service:receipt_pdf": ("receipt", "view", "GET"),
    "service:receipt_correct": ("receipt", "filer", "GET"),
    "service:instruction_create": ("receipt", "instruct", "POST"),
    "service:inbox": (None, "staff", "GET"),
    "service:summary": (None, "staff", "GET"),
    "service:needs": (None, "staff", "GET"),
    "service:department_needs": (None, "staff", "GET"),
    "service:needs_export": (None, "staff", "GET"),
    "service:need": ("need", "view", "GET"),
    "service:need_attachment": ("need_file", "view", "GET"),
    "service:need_start": ("need", "start", "POST"),
    "service:need_resolve": ("need", "resolve", "POST"),
    "service:need_escalate": ("need", "escalate", "POST"),
    "service:need_close": ("need", "close", "POST"),
    "service:second_round": (None, "staff", "GET"),
    "service:enterprise_second_round_create": ("enterprise", "edit", "GET"),
    "service:designated": (None, "staff", "GET"),
    "service:paired": (None, "staff", "GET"),
    # 报送主要领导: the form (the leader in charge), the inbox, opening a forwarded item
    "service:forward_receipt": ("receipt", "instruct", "GET"),
    "service:forward_need": ("need", "forward_need", "GET"),
    "service:forwarded": (None, "staff", "GET"),
    "service:forward": ("forward", "forward_party", "GET"),
}

# Who filed each target's receipt and whom it was sent to (see the ``records`` fixture).
FILER = {"in": "secretary", "out": "admin", "other": "bureau_b"}
ADDRESSEE = {"in": "manager", "out": "leader", "other": None}
# The departments the problems are assigned to: 建设局 of district a (the department of
# "department", "officer" and "outsider"), 国土局 of district a, 建设局 of district b.
# The forwarded items (sender, recipient) of each target: only they see one (302 to the
# receipt when they open it), nobody else, not even the district-wide roles (404).
FORWARD_PARTIES = {
    "in": ("manager", "leader"),
    "out": ("leader", "manager"),
    "other": ("bureau_b",),
}
WORKS_A = {"department", "officer", "outsider"}
LEADERS_A = {"leader", "manager"}


def _team(who: str, target: str) -> bool:
    return target == "in" and who in core.TEAM_OF_P1A


def _record(who: str, target: str) -> bool:
    """Registry editors of the district, and the team of the project."""
    return _team(who, target) or (who in core.EDITORS and core.own_district(who, target))


def _allowed(who: str, needs: str, target: str) -> bool:
    own = core.own_district(who, target)
    admin = who == "admin" and own
    if needs == "team":
        return _team(who, target)
    if needs == "record":
        return _record(who, target)
    if needs == "edit":
        return who in core.EDITORS and own
    if needs == "filer":
        return FILER[target] == who
    if needs == "instruct":
        return ADDRESSEE[target] == who
    if needs == "forward_need":  # the leader in charge of project1_a: its manager
        return target == "in" and who == "manager"
    start = admin or (target == "in" and who in WORKS_A)
    if needs == "start":
        return start
    if needs == "resolve":
        return start or _record(who, target)
    if needs == "escalate":
        return start or _record(who, target) or (own and who in LEADERS_A)
    if needs == "close":
        return _record(who, target)
    raise AssertionError(needs)


def expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if who == "enterprise":
        return 403  # the staff pages are not theirs (PortalBoundaryMiddleware)
    if needs == "staff":
        return 200
    if needs == "forward_party":
        return 302 if who in FORWARD_PARTIES[target] else 404
    visible = (
        core.visible_enterprise(who, target)
        if kind == "enterprise"
        else core.visible_project(who, target)
    )
    if not visible:
        return 404
    if needs == "view":
        return 200
    if who == "city" or not _allowed(who, needs, target):
        return 403
    return 400 if method == "POST" else 200  # an empty form is refused, nothing changes


def records(world):
    """A receipt and a problem on each target project, written as the services would (once
    for the module: ``built_once_per_module``), in English like the app's tests."""
    with translation.override("en"):
        return _records(world)


def _records(world):
    now = timezone.now()
    made = {}
    for n, (target, project, department) in enumerate(
        (
            ("in", world.project1_a, world.dept_works_a),
            ("out", world.project2_a, world.dept_land_a),
            ("other", world.project1_b, world.dept_works_b),
        ),
        start=1,
    ):
        addressee = ADDRESSEE[target]
        receipt = Receipt.objects.create(
            district_id=project.district_id,
            number=f"HZ-2026-{n:04d}",
            project=project,
            visited_on=datetime.date(2026, 6, 12),
            department=department,
            handler_name="王建国",
            matter="施工许可",
            work_done="递交材料",
            result=ReceiptResult.IN_PROGRESS,
            filed_by=getattr(world, f"user_{FILER[target]}"),
            filed_at=now,
            addressee=getattr(world, f"user_{addressee}") if addressee else None,
        )
        need = Need.objects.create(
            district_id=project.district_id,
            number=f"WT-2026-{n:04d}",
            project=project,
            raised_by=world.user_admin,
            raised_on=datetime.date(2026, 6, 12),
            category=NeedCategory.LAND,
            title="用地",
            description="用地红线",
            department=department,
            due_workdays=5,
            due_on=datetime.date(2026, 6, 22),
        )
        sender, *recipient = FORWARD_PARTIES[target]
        forward = Forward.objects.create(
            district_id=project.district_id,
            receipt=receipt,
            project=project,
            sent_by=getattr(world, f"user_{sender}"),
            recipient=getattr(world, f"user_{(recipient or [sender])[0]}"),
            note="请区长阅示",
        )
        made[target] = {"receipt": receipt, "need": need, "forward": forward}
    return made


globals().update(built_once_per_module(records, per_test=lambda world, made: (world, made)))


def url(objects, route: str, target: str | None) -> str:
    world, records = objects
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    if kind in ("receipt", "need", "forward"):
        return reverse(route, args=[records[target][kind].pk])
    if kind == "need_file":  # a file the enterprise sent with the problem
        need = records[target]["need"]
        attachment = NeedAttachment(need=need, original_name="现场.pdf", uploaded_by=need.raised_by)
        attachment.file.save("site.pdf", ContentFile(b"%PDF-1.4 site"), save=False)
        attachment.save()
        return reverse(route, args=[need.pk, attachment.pk])
    project = world_project(world, target)
    if kind == "enterprise":
        return reverse(route, args=[project.enterprise_id])
    return reverse(route, args=[project.pk])


globals().update(Matrix(ROUTES, expected, url, namespaces=["service"]).tests())
