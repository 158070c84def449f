"""Every person of the world × every route of the enterprise's service hall × its own
enterprise's record, another enterprise's and another district's. The areas' tables live
in ``tests/areas`` (see its docstring); this module joins them."""

from __future__ import annotations

import importlib
import pkgutil

from zhaoshang.portal.tests import areas as _areas
from zhaoshang.testing.matrix import Matrix
from zhaoshang.testing.shared import built_once_per_module

AREAS = [
    importlib.import_module(f"{_areas.__name__}.{info.name}")
    for info in pkgutil.iter_modules(_areas.__path__)
]
ROUTES: dict[str, tuple] = {}
OWNER: dict[str, object] = {}
for _area in AREAS:
    ROUTES.update(_area.ROUTES)
    OWNER.update(dict.fromkeys(_area.ROUTES, _area))


def default_expected(who: str, route: str, target: str | None) -> int:
    method = ROUTES[route][2]
    if who != "enterprise":
        return 403
    if target in ("out", "other"):
        return 404
    return 400 if method == "POST" else 200


def expected(who: str, route: str, target: str | None) -> int:
    own = getattr(OWNER[route], "expected", None)
    status = own(who, route, target) if own is not None else None
    return default_expected(who, route, target) if status is None else status


def build(world) -> dict:
    return {area.__name__: area.build(world) for area in AREAS}


def url(objects, route: str, target: str | None) -> str:
    area = OWNER[route]
    return area.url(objects[area.__name__], route, target)


globals().update(built_once_per_module(build))
globals().update(
    Matrix(
        ROUTES,
        expected,
        url,
        namespaces=["portal"],
        anonymous_methods=("GET", "POST"),
    ).tests()
)
