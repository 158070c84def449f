"""Land records for tests, made through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from zhaoshang.land import services
from zhaoshang.land.choices import Half, ParcelStatus
from zhaoshang.land.models import CampaignEntry

_numbers = iter(range(1, 100000))


def make_parcel(world, tag: str = "a", *, by=None, **extra):
    """A reserve parcel in park 1 of the district, recorded by its admin unless told
    otherwise."""
    suffix = "" if tag == "a" else "_b"
    data = {
        "district": getattr(world, f"district_{tag}"),
        "code": f"DK-2026-{next(_numbers):03d}",
        "name": "东区工业地块",
        "park": getattr(world, f"park1_{tag}"),
        "area": Decimal("120.50"),
        "land_use": "industrial",
    }
    data.update(extra)
    return services.create_parcel(by or getattr(world, f"user_admin{suffix}"), **data)


def make_supplied(world, tag: str = "a", *, project=None, **extra):
    """A parcel supplied to project1 of the district (delivered 2026-04-01, agreed start of
    construction 2025-01-10: idle since 2026-01-10)."""
    project = project or getattr(world, f"project1_{tag}")
    data = {
        "status": ParcelStatus.SUPPLIED,
        "project": project,
        "park": project.park,
        "delivered_on": datetime.date(2026, 4, 1),
        "agreed_start_on": datetime.date(2025, 1, 10),
        "land_price": Decimal("3000"),
        "contract_number": "GY-2026-01",
    }
    data.update(extra)
    return make_parcel(world, tag, **data)


def set_exit_rule(district, code: str, months: int):
    """The district's exit rule ``code`` counts ``months`` (as an admin sets it)."""
    from zhaoshang.exits.services import ensure_default_rules

    rule = next(r for r in ensure_default_rules(district) if r.code == code)
    rule.months = months
    rule.save()
    return rule


def make_campaign(
    world,
    tag: str = "a",
    *,
    year=2026,
    half=Half.H1,
    by=None,
    delivered_months=None,
    production_months=None,
    **extra,
):
    """Open a campaign; ``delivered_months`` and ``production_months`` set the district's
    exit rules 三个月不开工 and 两年不投产 first (the campaign reads them)."""
    suffix = "" if tag == "a" else "_b"
    district = getattr(world, f"district_{tag}")
    if delivered_months is not None:
        set_exit_rule(district, "not_started", delivered_months)
    if production_months is not None:
        set_exit_rule(district, "not_producing", production_months)
    return services.open_campaign(
        by or getattr(world, f"user_supervisor{suffix}"),
        district=getattr(world, f"district_{tag}"),
        year=year,
        half=half,
        **extra,
    )


def add_entry(campaign, project, category="signed") -> CampaignEntry:
    """An entry written directly (for the scoping tests), as generation would."""
    return CampaignEntry.objects.create(
        district_id=campaign.district_id,
        campaign=campaign,
        project=project,
        category=category,
        signed_on=project.signed_on,
    )
