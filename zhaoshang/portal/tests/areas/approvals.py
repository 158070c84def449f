"""Matrix area: my approvals (the cases of the world: ``case_a`` of project1_a, ``case_out_a``
of project2_a, ``case_b`` of project1_b; a done case of project1_a with a certificate for
the certificate's download)."""

from django.core.files.base import ContentFile
from django.urls import reverse

from zhaoshang.testing.world import FROZEN_NOW

ROUTES = {
    "portal:approvals": (None, "portal", "GET"),
    "portal:case": ("case", "portal", "GET"),
    "portal:case_rate": ("case", "portal", "POST"),
    "portal:case_certificate": ("case", "portal", "GET"),
}


def _done_case_with_certificate(world):
    """A case of project1_a done today with its certificate (written as the world writes
    its cases: the rows only)."""
    from zhaoshang.approvals.choices import CaseStatus
    from zhaoshang.approvals.models import ApprovalCase, ApprovalItem

    item = (
        ApprovalItem.objects.filter(district=world.district_a)
        .exclude(cases__project=world.project1_a)
        .first()
    )
    today = FROZEN_NOW.date()
    case = ApprovalCase.objects.create(
        district=world.district_a,
        project=world.project1_a,
        item=item,
        department=item.department,
        registered_on=today,
        registered_by=world.user_service_center,
        time_limit=item.time_limit,
        time_limit_unit=item.time_limit_unit,
        status=CaseStatus.DONE,
        materials_complete_on=today,
        accepted_on=today,
        done_on=today,
        approval_number="渝建审〔2026〕1号",
        certificate_name="certificate.pdf",
    )
    case.certificate.save("certificate.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return case


def build(world) -> dict:
    cases = {"in": world.case_a.pk, "out": world.case_out_a.pk, "other": world.case_b.pk}
    return {"case": cases, "done": {**cases, "in": _done_case_with_certificate(world).pk}}


def url(objects, route, target) -> str:
    if target is None:
        return reverse(route)
    kind = "done" if route == "portal:case_certificate" else "case"
    return reverse(route, args=[objects[kind][target]])
