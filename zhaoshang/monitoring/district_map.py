"""The district on a map (挂图作战, issue #18): the zones and parks drawn from their stored
GeoJSON outlines by ECharts (no tile server), the land parcels coloured by status and the
projects coloured by their light and sized by their investment.

Projects and parcels store no coordinates: each is placed at a deterministic point inside
its park's outline (``geo.place``), and a project with a land parcel sits on its parcel.

The page renders the filters and the parks' figures (the table behind the map); the script
``zs/map.js`` draws the map from the JSON endpoint, which filters the projects like the
page's GET form. Both read what the user may see (``visible_to``) with a fixed number of
queries whatever the district's size."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core import clock, roles
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.lights import Light
from zhaoshang.land.choices import ParcelStatus
from zhaoshang.land.models import LandParcel
from zhaoshang.monitoring import geo
from zhaoshang.monitoring.lights import project_light
from zhaoshang.org.models import District, Industry, Park, WorkingGroup, Zone
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project

LIGHTS = [
    (Light.RED, gettext_lazy("Red light"), "#dc3545"),
    (Light.YELLOW, gettext_lazy("Yellow light"), "#f0ad00"),
    (Light.GREEN, gettext_lazy("Green light"), "#198754"),
]
PARCEL_COLOURS = {
    ParcelStatus.RESERVE: "#8c9aab",
    ParcelStatus.RESERVED: "#0dcaf0",
    ParcelStatus.SUPPLIED: "#0d6efd",
    ParcelStatus.IDLE: "#fd7e14",
    ParcelStatus.RECOVERED: "#6f42c1",
}
# Projects that left the main line are off the wall chart unless the stage filter asks.
ENDED = (Stage.TERMINATED, Stage.EXITED)


class MapFilterForm(BootstrapMixin, forms.Form):
    district = forms.ModelChoiceField(
        label=gettext_lazy("District"), queryset=District.objects.none(), required=False
    )
    industry = forms.ModelChoiceField(
        label=gettext_lazy("Industry"), queryset=Industry.objects.none(), required=False
    )
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    light = forms.ChoiceField(label=gettext_lazy("Light"), required=False)
    working_group = forms.ModelChoiceField(
        label=gettext_lazy("Working group"), queryset=WorkingGroup.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["stage"].choices = blank + list(Stage.choices)
        self.fields["light"].choices = blank + [(value, label) for value, label, _c in LIGHTS]
        self.fields["industry"].queryset = Industry.objects.visible_to(user)
        self.fields["working_group"].queryset = WorkingGroup.objects.visible_to(user)
        for name in ("industry", "working_group"):
            self.fields[name].empty_label = _("All")
        if roles.sees_all_districts(user):
            self.fields["district"].queryset = District.objects.order_by("id")
            self.fields["district"].empty_label = None
        else:
            del self.fields["district"]


def _district_id(user, form) -> int | None:
    """The district drawn: the user's own; for the city (who sees every district) the one
    chosen, the first by default."""
    if not roles.sees_all_districts(user):
        return user.district_id
    chosen = form.cleaned_data.get("district") if form.is_valid() else None
    if chosen is not None:
        return chosen.pk
    return District.objects.order_by("id").values_list("id", flat=True).first()


def _projects(user, form, district_id):
    qs = (
        Project.objects.visible_to(user)
        .filter(district_id=district_id)
        .annotate(light=project_light())
    )
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("industry"):
        qs = qs.filter(industry=data["industry"])
    if data.get("working_group"):
        qs = qs.filter(working_group=data["working_group"])
    if data.get("light"):
        qs = qs.filter(light=data["light"])
    stage = data.get("stage")
    qs = qs.filter(stage=stage) if stage else qs.exclude(stage__in=ENDED)
    return qs.order_by("-total_investment", "id").values(
        "id", "code", "name", "park_id", "total_investment", "stage", "light", "industry__name"
    )


def _feature(kind: str, row: dict, zone_id=None) -> dict:
    return {
        "type": "Feature",
        "properties": {
            "name": f"{kind}-{row['id']}",
            "label": row["name"],
            "kind": kind,
            "id": row["id"],
            "zone": zone_id,
        },
        "geometry": row["outline"],
    }


def _list_query(form) -> str:
    """The map's filters the project registry also has, to open a park's projects as
    filtered (the registry has no light filter)."""
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    params = {
        "industry": data["industry"].pk if data.get("industry") else None,
        "stage": data.get("stage") or None,
        "working_group": data["working_group"].pk if data.get("working_group") else None,
    }
    return "".join(f"&{key}={value}" for key, value in params.items() if value)


def build(user, form) -> dict:
    """Everything the map draws, as plain JSON-ready data (five queries, six for the city)."""
    district_id = _district_id(user, form)
    zones = list(Zone.objects.filter(district_id=district_id).values("id", "name", "outline"))
    parks = list(
        Park.objects.filter(district_id=district_id).values("id", "name", "zone_id", "outline")
    )
    zone_names = {z["id"]: z["name"] for z in zones}
    rings = {p["id"]: geo.outer_ring(p["outline"]) for p in parks}

    zone_rings = {z["id"]: geo.outer_ring(z["outline"]) for z in zones}
    features = [_feature("zone", z) for z in zones if zone_rings[z["id"]]]
    # A zone's name sits at the top of its outline, above its parks.
    zone_labels = [
        {
            "name": z["name"],
            "anchor": [
                round(geo.centroid(zone_rings[z["id"]])[0], 6),
                max(y for _x, y in zone_rings[z["id"]]),
            ],
        }
        for z in zones
        if zone_rings[z["id"]]
    ]
    list_query = _list_query(form)
    features += [_feature("park", p, p["zone_id"]) for p in parks if rings[p["id"]]]

    figures = {
        p["id"]: {
            "key": f"park-{p['id']}",
            "id": p["id"],
            "name": p["name"],
            "zone": zone_names.get(p["zone_id"], ""),
            "projects": 0,
            "investment": Decimal(0),
            "red": 0,
            "yellow": 0,
            "green": 0,
            "parcels": 0,
            "parcel_area": Decimal(0),
            "idle": 0,
            "drawn": bool(rings[p["id"]]),
            "anchor": list(geo.centroid(rings[p["id"]])) if rings[p["id"]] else None,
            "url": reverse("projects:list") + f"?park={p['id']}{list_query}",
        }
        for p in parks
    }

    parcels, parcel_spot = [], {}
    parcel_rows = (
        LandParcel.objects.visible_to(user)
        .filter(district_id=district_id)
        .values("id", "code", "name", "park_id", "status", "area", "project_id")
    )
    status_labels = dict(ParcelStatus.choices)
    for row in parcel_rows:
        park = figures.get(row["park_id"])
        if park is not None:
            park["parcels"] += 1
            park["parcel_area"] += row["area"] or 0
            park["idle"] += row["status"] == ParcelStatus.IDLE
        ring = rings.get(row["park_id"])
        if not ring:
            continue
        spot = geo.place(ring, f"parcel:{row['id']}")
        if row["project_id"] and row["project_id"] not in parcel_spot:
            parcel_spot[row["project_id"]] = spot
        parcels.append(
            {
                "id": row["id"],
                "name": f"{row['code']} {row['name']}",
                "status": row["status"],
                "statusLabel": str(status_labels.get(row["status"], row["status"])),
                "area": float(row["area"] or 0),
                "value": list(spot),
                "url": reverse("land:parcel", args=[row["id"]]),
            }
        )

    stage_labels = dict(Stage.choices)
    points, unplaced = [], 0
    for row in _projects(user, form, district_id):
        park = figures.get(row["park_id"])
        investment = row["total_investment"] or Decimal(0)
        if park is not None:
            park["projects"] += 1
            park["investment"] += investment
            park[row["light"]] = park.get(row["light"], 0) + 1
        ring = rings.get(row["park_id"])
        if not ring:
            unplaced += 1
            continue
        spot = parcel_spot.get(row["id"]) or geo.place(ring, f"project:{row['id']}")
        points.append(
            {
                "id": row["id"],
                "name": row["name"],
                "code": row["code"],
                "light": row["light"],
                "investment": float(investment),
                "stage": str(stage_labels.get(row["stage"], row["stage"])),
                "industry": row["industry__name"] or "",
                "park": park["name"] if park else "",
                "value": list(spot),
                "url": reverse("projects:detail", args=[row["id"]]),
            }
        )

    district = District.objects.filter(pk=district_id).values_list("name", flat=True).first()
    return {
        "district": district or "",
        "map": {"type": "FeatureCollection", "features": features},
        "zones": zone_labels,
        "parks": list(figures.values()),
        "projects": points,
        "parcels": parcels,
        "unplaced": unplaced,
        "lights": [{"value": v, "label": str(label), "colour": c} for v, label, c in LIGHTS],
        "statuses": [
            {"value": v, "label": str(label), "colour": PARCEL_COLOURS[v]}
            for v, label in ParcelStatus.choices
        ],
        "labels": {
            "projects": _("Projects"),
            "investment": _("Total investment (10k yuan)"),
            "parcels": _("Land parcels"),
            "parcelArea": _("Land area (mu)"),
            "idle": _("Idle parcels"),
            "zone": _("Zone"),
            "stage": _("Stage"),
            "industry": _("Industry"),
            "park": _("Park"),
            "status": _("Status"),
            "area": _("Area (mu)"),
            "openList": _("Open the park's projects"),
            "lights": _("Red / yellow / green"),
            "empty": _("Nothing to draw: no stored outline for this district's parks."),
        },
    }


def _jsonable(data: dict) -> dict:
    for park in data["parks"]:
        park["investment"] = float(park["investment"])
        park["parcel_area"] = float(park["parcel_area"])
    return data


@login_required
def page(request):
    form = MapFilterForm(request.GET or None, user=request.user)
    data = build(request.user, form)
    query = request.GET.urlencode()
    return render(
        request,
        "monitoring/map.html",
        {
            "form": form,
            "district": data["district"],
            "parks": data["parks"],
            "totals": {
                "projects": sum(p["projects"] for p in data["parks"]),
                "investment": sum(p["investment"] for p in data["parks"]),
                "red": sum(p["red"] for p in data["parks"]),
                "yellow": sum(p["yellow"] for p in data["parks"]),
                "green": sum(p["green"] for p in data["parks"]),
            },
            "unplaced": data["unplaced"],
            "data_url": reverse("monitoring:map_data") + (f"?{query}" if query else ""),
            "drawn": bool(data["map"]["features"]),
            "today": clock.today(),
        },
    )


@login_required
def data(request):
    form = MapFilterForm(request.GET or None, user=request.user)
    return JsonResponse(
        _jsonable(build(request.user, form)), json_dumps_params={"ensure_ascii": False}
    )
