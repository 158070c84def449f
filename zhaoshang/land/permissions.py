"""Who may do what with land (SPEC §1, §11). Visibility is each model's ``visible_to``;
these rules decide the actions on what the user can already see.

The land department (国土局/自然资源局) has no marker of its own among the departments, so
the rules follow the roles:

- parcels: admins and the investment promotion bureau of the district record and edit every
  parcel and change its status; a park committee does so for its own parks' parcels;
- clean-up campaigns: admins, the bureau and the supervision office open them, take the
  decision on each entry and close them;
- the annual land plan and the thresholds are reference data edited by admins (admin site);
- leaders, departments and the rest read; city users read every district and change nothing.
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role

PARCEL_EDITOR_ROLES = (Role.ADMIN, Role.BUREAU)
CAMPAIGN_ROLES = (Role.ADMIN, Role.BUREAU, Role.SUPERVISOR)


def _writer(user, district_id) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not roles.is_city(user)
        and not roles.is_enterprise(user)
        and (user.is_superuser or (user.district_id and user.district_id == district_id))
    )


def manages_park(user, park) -> bool:
    """A park committee user of this park (their own park, or their department is its
    committee)."""
    if park is None or not roles.has_role(user, Role.PARK):
        return False
    return bool(
        (user.park_id and user.park_id == park.pk)
        or (user.department_id and user.department_id == park.committee_id)
    )


def can_add_parcels(user, district_id) -> bool:
    """May record new parcels in the district (a park committee only in its parks)."""
    return _writer(user, district_id) and roles.has_role(user, *PARCEL_EDITOR_ROLES, Role.PARK)


def can_edit_parcel(user, parcel) -> bool:
    if not _writer(user, parcel.district_id):
        return False
    return roles.has_role(user, *PARCEL_EDITOR_ROLES) or manages_park(user, parcel.park)


def can_place_in_park(user, park) -> bool:
    """A parcel may be put in this park by this user."""
    return roles.has_role(user, *PARCEL_EDITOR_ROLES) or manages_park(user, park)


def can_manage_campaigns(user, district_id) -> bool:
    return _writer(user, district_id) and roles.has_role(user, *CAMPAIGN_ROLES)


def can_manage_campaign(user, campaign) -> bool:
    return can_manage_campaigns(user, campaign.district_id)
