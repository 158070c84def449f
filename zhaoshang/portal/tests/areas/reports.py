"""Matrix area: reporting (the monthly report, its history, the enterprise's documents)."""

import datetime

from django.core.files.base import ContentFile
from django.urls import reverse

from zhaoshang.testing.matrix import world_project

MAY = datetime.date(2026, 5, 1)  # the month due at the frozen time: no report filed for it

ROUTES = {
    "portal:reports": (None, "portal", "GET"),
    "portal:report_history": ("project", "portal", "GET"),
    "portal:report_new": ("project", "portal", "GET"),
    "portal:report": ("report", "portal", "GET"),
    "portal:report_photo": ("photo", "portal", "GET"),
    "portal:documents": ("project", "portal", "GET"),
    "portal:document_upload": ("project", "portal", "POST"),
    "portal:document_download": ("document", "portal", "GET"),
}


def build(world) -> dict:
    from zhaoshang.projects.models import MonthlyReportPhoto
    from zhaoshang.testing.factories import DocumentVersionFactory, MonthlyReportFactory

    made = {}
    for target in ("in", "out", "other"):
        project = world_project(world, target)
        uploader = world.user_enterprise if target == "in" else world.user_admin
        version = DocumentVersionFactory(
            document__project=project,
            document__material_type__code="business_license",
            uploaded_by=uploader,
            submitted_by_enterprise=target == "in",
        )
        report = MonthlyReportFactory(
            project=project, month=datetime.date(2026, 4, 1), submitted_by=uploader
        )
        photo = MonthlyReportPhoto(report=report)
        photo.image.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n0000"), save=False)
        photo.save()
        made[target] = {
            "project": project.pk,
            "report": report.pk,
            "photo": (report.pk, photo.pk),
            "document": version.pk,
        }
    return made


def url(objects, route, target) -> str:
    if target is None:
        return reverse(route)
    kind = ROUTES[route][0]
    value = objects[target][kind]
    if route == "portal:report_new":
        return reverse(route, args=[value, MAY.year, MAY.month])
    return reverse(route, args=list(value) if isinstance(value, tuple) else [value])
