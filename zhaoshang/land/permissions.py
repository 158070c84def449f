"""Who may do what with land (SPEC §1, §11). Visibility is each model's ``visible_to``;
these rules decide the actions on what the user can already see.

The land department (国土局/自然资源局) has no marker of its own among the departments, so
the rules follow the roles:

- parcels: admins and the investment promotion bureau of the district record and edit every
  parcel and change its status; a park committee does so for its own parks' parcels;
- clean-up campaigns: the leader holding the district's clean-up duty (分管工业副区长,
  ``CleanupLead``), the supervision office, the bureau and admins open them, take the
  decision on each entry, carry it out and close them; moving a project to 已退出 (the end
  of a 清退) is also a stage change, which only the project's editors make (the bureau,
  admins, its team);
- the annual land plan is reference data edited by admins (admin site; the thresholds are
  the district's one table in the exits admin);
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


def is_cleanup_lead(user, district_id) -> bool:
    """The leader holding the district's clean-up duty (one query per user, then cached)."""
    if not getattr(user, "is_authenticated", False) or not district_id:
        return False
    cache = getattr(user, "_cleanup_lead_of", None)
    if cache is None:
        from zhaoshang.land.models import CleanupLead

        cache = set(CleanupLead.objects.filter(leader=user).values_list("district_id", flat=True))
        user._cleanup_lead_of = cache
    return district_id in cache


def can_manage_campaigns(user, district_id) -> bool:
    """Open, decide, carry out and close the district's clean-up campaigns."""
    if not _writer(user, district_id):
        return False
    return roles.has_role(user, *CAMPAIGN_ROLES) or is_cleanup_lead(user, district_id)


can_open_campaigns = can_manage_campaigns


def can_manage_campaign(user, campaign) -> bool:
    return can_manage_campaigns(user, campaign.district_id)


def can_follow_up(user, entry) -> bool:
    """Record how a decision was carried out (a rectification confirmed)."""
    return can_manage_campaigns(user, entry.district_id)


def can_complete_exit(user, entry) -> bool:
    """End a 清退 with the project 已退出: a campaign manager who may also change the
    project's stage."""
    from zhaoshang.projects.permissions import can_record_service

    return can_follow_up(user, entry) and can_record_service(user, entry.project)
