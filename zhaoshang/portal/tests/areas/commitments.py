"""Matrix area: commitments (a list of the enterprise's own: no record in the URL)."""

from django.urls import reverse

ROUTES = {
    "portal:commitments": (None, "portal", "GET"),
}


def build(world) -> dict:
    return {}


def url(objects, route, target) -> str:
    return reverse(route)
