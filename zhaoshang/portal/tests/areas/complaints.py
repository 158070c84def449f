"""Matrix area: complaints (投诉): the list, lodging one, a complaint's page, rating its
answer and downloading the files the enterprise sent."""

from django.core.files.base import ContentFile
from django.urls import reverse

ROUTES = {
    "portal:complaints": (None, "portal", "GET"),
    "portal:complaint_new": (None, "portal", "GET"),
    "portal:complaint": ("complaint", "portal", "GET"),
    "portal:complaint_rate": ("complaint", "portal", "POST"),
    "portal:complaint_attachment": ("complaint_file", "portal", "GET"),
}


def build(world) -> dict:
    """A complaint of each target's enterprise against its district's 建设局: enterprise1_a's
    lodged by its contact in the portal ("in"), enterprise2_a's and enterprise1_b's
    received by the supervision office ("out", "other")."""
    from zhaoshang.complaints.tests.factories import make_complaint

    return {
        "in": make_complaint(world, by=world.user_enterprise, channel="portal").pk,
        "out": make_complaint(world, project=world.project2_a).pk,
        "other": make_complaint(world, "b").pk,
    }


def _file(complaint_id: int) -> int:
    """A file the complaint's enterprise sent (the portal lists only those)."""
    from zhaoshang.complaints.models import Complaint, ComplaintAttachment
    from zhaoshang.org.models import User

    complaint = Complaint.objects.get(pk=complaint_id)
    sender = User.objects.filter(enterprise_id=complaint.enterprise_id).first()
    attachment = ComplaintAttachment(
        complaint=complaint,
        original_name="罚款单.pdf",
        uploaded_by=sender or complaint.received_by,
    )
    attachment.file.save("fine.pdf", ContentFile(b"%PDF-1.4 fine"), save=False)
    attachment.save()
    return attachment.pk


def url(objects, route, target) -> str:
    if target is None:
        return reverse(route)
    if route == "portal:complaint_attachment":
        return reverse(route, args=[objects[target], _file(objects[target])])
    return reverse(route, args=[objects[target]])
