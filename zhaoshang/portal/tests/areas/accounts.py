"""Matrix area: accounts (the enterprise's contacts). The invitation link and the staff
routes that invite and remove contacts are in ``enterprises/tests/test_permission_matrix.py``."""

from django.urls import reverse

ROUTES = {
    "portal:contacts": (None, "portal", "GET"),
}


def build(world) -> dict:
    return {}


def url(objects, route, target) -> str:
    return reverse(route)
