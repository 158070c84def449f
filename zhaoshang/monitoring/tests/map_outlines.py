"""Outlines for the test world's zone and parks (the world stores none): the demo's
装备制造产业园 and 食品饮料产业园 and their zone, from ``demo/data/outlines.geojson``."""

from __future__ import annotations

import json
from pathlib import Path

from zhaoshang.org.models import Park, Zone

OUTLINES = Path(__file__).resolve().parents[2] / "demo" / "data" / "outlines.geojson"


def give_outlines(world) -> None:
    features = {
        f["properties"]["code"]: f["geometry"]
        for f in json.loads(OUTLINES.read_text(encoding="utf-8"))["features"]
    }
    for tag in ("a", "b"):
        Zone.objects.filter(pk=getattr(world, f"zone_{tag}").pk).update(outline=features["EAST"])
        Park.objects.filter(pk=getattr(world, f"park1_{tag}").pk).update(
            outline=features["P-EQUIP"]
        )
        Park.objects.filter(pk=getattr(world, f"park2_{tag}").pk).update(outline=features["P-FOOD"])
