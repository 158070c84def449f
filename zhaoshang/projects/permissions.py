"""Who may change what on a project. Visibility is ProjectQuerySet.visible_to; these
rules decide the actions on a project the user can already see."""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import can_edit_registry, same_district


def is_team_member(user, project) -> bool:
    cache = getattr(project, "_team_user_ids", None)
    if cache is None:
        cache = set(project.team_members.values_list("user_id", flat=True))
        project._team_user_ids = cache
    return user.pk in cache


def can_record_service(user, project) -> bool:
    """Stage changes, documents, funds and monthly reports: editors and the project team."""
    if roles.is_city(user) or roles.is_enterprise(user):
        return False
    if can_edit_registry(user, project.district_id):
        return True
    return same_district(user, project.district_id) and is_team_member(user, project)


def can_manage_team(user, project) -> bool:
    return can_edit_registry(user, project.district_id)


def is_own_enterprise(user, project) -> bool:
    """An active contact of the project's own enterprise (``roles.is_contact_of``: who
    acts for the enterprise in its service hall)."""
    return roles.is_contact_of(user, project.enterprise_id)


def can_report_progress(user, project) -> bool:
    """Monthly reports and documents: whoever records the project's service, and the
    project's own enterprise (its contacts report from the service hall)."""
    return can_record_service(user, project) or is_own_enterprise(user, project)
