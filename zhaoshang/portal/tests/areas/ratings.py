"""Matrix area: my ratings (one list, nothing of another enterprise in its URL)."""

from django.urls import reverse

ROUTES = {
    "portal:ratings": (None, "portal", "GET"),
}


def build(world) -> dict:
    return {}


def url(objects, route, target) -> str:
    return reverse(route)
