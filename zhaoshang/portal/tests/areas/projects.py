"""Matrix area: my projects."""

from django.urls import reverse

from zhaoshang.testing.matrix import world_project

ROUTES = {
    "portal:home": (None, "portal", "GET"),
    "portal:project": ("project", "portal", "GET"),
}


def build(world) -> dict:
    return {t: world_project(world, t).pk for t in ("in", "out", "other")}


def url(objects, route, target) -> str:
    if target is None:
        return reverse(route)
    return reverse(route, args=[objects[target]])
