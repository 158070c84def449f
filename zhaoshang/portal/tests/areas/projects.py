"""Matrix area: my projects — the home, a project's page and a document of its library the
enterprise may see (stage evidence exchanged with it: the signed agreement)."""

from django.urls import reverse

from zhaoshang.testing.matrix import world_project

ROUTES = {
    "portal:home": (None, "portal", "GET"),
    "portal:project": ("project", "portal", "GET"),
    "portal:project_document": ("document", "portal", "GET"),
}


def build(world) -> dict:
    from zhaoshang.projects.models import MaterialType
    from zhaoshang.testing.factories import DocumentVersionFactory

    material = MaterialType.objects.get(code="investment_agreement")
    objects = {}
    for t in ("in", "out", "other"):
        project = world_project(world, t)
        version = DocumentVersionFactory(
            document__project=project,
            document__material_type=material,
            uploaded_by=world.user_bureau if t != "other" else world.user_bureau_b,
        )
        objects[t] = (project.pk, version.pk)
    return objects


def url(objects, route, target) -> str:
    if target is None:
        return reverse(route)
    project, version = objects[target]
    if route == "portal:project":
        return reverse(route, args=[project])
    return reverse(route, args=[project, version])
