"""Plane geometry for the district map (挂图作战): the stored outlines are GeoJSON polygons
in longitude/latitude; projects and land parcels carry no coordinates, so each is placed at
a deterministic point inside its park's outline (the same record always lands on the same
spot; a project with a land parcel sits on its parcel). Pure functions, no database."""

from __future__ import annotations

import hashlib

Point = tuple[float, float]
Ring = list[Point]

_TRIES = 60
_MARGIN = 0.12  # keep points this share of the bounding box away from its edges


def outer_ring(geometry) -> Ring | None:
    """The outer ring of a Polygon, or of a MultiPolygon's largest polygon; None for an
    empty or unknown geometry."""
    if not isinstance(geometry, dict):
        return None
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    rings: list = []
    if kind == "Polygon" and coordinates:
        rings = [coordinates[0]]
    elif kind == "MultiPolygon":
        rings = [polygon[0] for polygon in coordinates if polygon]
    try:
        rings = [[(float(x), float(y)) for x, y, *_rest in ring] for ring in rings]
    except (TypeError, ValueError):
        return None
    rings = [ring for ring in rings if len(ring) >= 3]
    if not rings:
        return None
    return max(rings, key=lambda ring: abs(_signed_area(ring)))


def _signed_area(ring: Ring) -> float:
    return (
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def centroid(ring: Ring) -> Point:
    """The area centroid of a ring (its vertices' mean when degenerate)."""
    area = _signed_area(ring)
    if abs(area) < 1e-12:
        return (sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring))
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return (cx / (6 * area), cy / (6 * area))


def contains(ring: Ring, point: Point) -> bool:
    """Whether ``point`` lies inside ``ring`` (ray casting)."""
    x, y = point
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _numbers(seed: str):
    """An endless stream of floats in [0, 1) fixed by ``seed``."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        for k in range(0, 32, 4):
            yield int.from_bytes(digest[k : k + 4], "big") / 2**32
        counter += 1


def place(ring: Ring, seed: str) -> Point:
    """A point inside ``ring`` chosen by ``seed``: the same seed, the same point. Falls back
    to the centroid when no sampled point falls inside (a very thin outline)."""
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    dx, dy = (x1 - x0) * _MARGIN, (y1 - y0) * _MARGIN
    stream = _numbers(seed)
    for _ in range(_TRIES):
        point = (
            x0 + dx + next(stream) * (x1 - x0 - 2 * dx),
            y0 + dy + next(stream) * (y1 - y0 - 2 * dy),
        )
        if contains(ring, point):
            return (round(point[0], 6), round(point[1], 6))
    cx, cy = centroid(ring)
    return (round(cx, 6), round(cy, 6))
