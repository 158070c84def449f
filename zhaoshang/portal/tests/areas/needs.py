"""Matrix area: needs (企业诉求): the list, raising one, a need's page, rating its answer
and downloading its files."""

from django.core.files.base import ContentFile
from django.urls import reverse

ROUTES = {
    "portal:needs": (None, "portal", "GET"),
    "portal:need_new": (None, "portal", "GET"),
    "portal:need": ("need", "portal", "GET"),
    "portal:need_rate": ("need", "portal", "POST"),
    "portal:need_attachment": ("need_file", "portal", "GET"),
}


def build(world) -> dict:
    """A need of each target's project: enterprise1_a's raised by its contact
    ("in"), project2_a's and project1_b's raised by the bureau ("out", "other")."""
    from zhaoshang.service import services

    mine = services.raise_enterprise_need(
        world.user_enterprise,
        world.project1_a,
        category="land",
        title="用地指标",
        description="二期用地指标尚未落实。",
        department=world.dept_land_a,
    )
    needs = {"in": mine}
    for target, project, by, department in (
        ("out", world.project2_a, world.user_bureau, world.dept_works_a),
        ("other", world.project1_b, world.user_bureau_b, world.dept_works_b),
    ):
        needs[target] = services.raise_need(
            by,
            project,
            category="utilities",
            title="临时用电",
            description="施工临时用电容量不足。",
            department=department,
            due_workdays=5,
        )
    return {t: n.pk for t, n in needs.items()}


def _file(need_id: int) -> int:
    from zhaoshang.service.models import Need, NeedAttachment

    need = Need.objects.get(pk=need_id)
    attachment = NeedAttachment(need=need, original_name="现场照片.pdf", uploaded_by=need.raised_by)
    attachment.file.save("site.pdf", ContentFile(b"%PDF-1.4 site"), save=False)
    attachment.save()
    return attachment.pk


def url(objects, route, target) -> str:
    if target is None:
        return reverse(route)
    if route == "portal:need_attachment":
        return reverse(route, args=[objects[target], _file(objects[target])])
    return reverse(route, args=[objects[target]])
