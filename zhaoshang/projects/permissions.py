"""Who may change what on a project. Visibility is ProjectQuerySet.visible_to; these
rules decide the actions on a project the user can already see."""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import REGISTRY_EDITOR_ROLES


def _same_district(user, district_id) -> bool:
    return bool(user.is_superuser or (user.district_id and user.district_id == district_id))


def can_edit_registry(user, district_id) -> bool:
    """Create and edit projects and enterprises: the bureau and admins of the district."""
    if roles.is_city(user):
        return False
    return roles.has_role(user, *REGISTRY_EDITOR_ROLES) and _same_district(user, district_id)


def can_delete_registry(user, district_id) -> bool:
    """Delete projects and enterprises: the district's administrators only."""
    if roles.is_city(user):
        return False
    return roles.has_role(user, roles.Role.ADMIN) and _same_district(user, district_id)


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
    return _same_district(user, project.district_id) and is_team_member(user, project)


def can_manage_team(user, project) -> bool:
    return can_edit_registry(user, project.district_id)
