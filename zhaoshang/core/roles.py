"""The nine role groups of SPEC §1 and helpers to ask a user about them.

Roles are Django groups named by their code. Per-project assignments (project
manager, secretary, service officer) are not roles: they live on the project team.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    BUREAU = "bureau", _("Investment promotion bureau")
    LEADER = "leader", _("District leader")
    DEPARTMENT = "department", _("Department handler")
    SERVICE_CENTER = "service_center", _("Government service center agent")
    PARK = "park", _("Park management committee")
    SUPERVISOR = "supervisor", _("Supervision office")
    ENTERPRISE = "enterprise", _("Enterprise user")
    CITY = "city", _("City bureau")


# Roles whose users see every record of their own district (信息共享).
DISTRICT_WIDE_ROLES = frozenset(
    {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.DEPARTMENT, Role.SERVICE_CENTER, Role.SUPERVISOR}
)
# Roles that create and edit projects and enterprises.
REGISTRY_EDITOR_ROLES = frozenset({Role.ADMIN, Role.BUREAU})


def roles_of(user) -> frozenset[str]:
    """The role codes of a user, cached on the instance (one query per request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = remember_roles(user, user.groups.values_list("name", flat=True))
    return cached


def remember_roles(user, group_names) -> frozenset[str]:
    """Cache on ``user`` the role codes of its groups, read elsewhere (the session's user is
    read with them in one statement, ``core.backends.UserBackend``); returns them."""
    cached = frozenset(group_names or ())
    if user.is_superuser:
        cached = cached | {Role.ADMIN}
    user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_city(user) -> bool:
    """City-level users see every district, read-only."""
    return has_role(user, Role.CITY) and not has_role(user, Role.ADMIN)


def is_enterprise(user) -> bool:
    return has_role(user, Role.ENTERPRISE) and not (roles_of(user) - {Role.ENTERPRISE})


def sees_all_districts(user) -> bool:
    return bool(user.is_superuser or is_city(user))


def is_contact_of(user, enterprise_id) -> bool:
    """The enterprise's own contact: an active enterprise user attached to it (what the
    service hall lets act for the enterprise)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and enterprise_id
        and user.enterprise_id == enterprise_id
        and is_enterprise(user)
    )


def is_staff_user(user) -> bool:
    """Any government role: may use the staff pages."""
    return bool(roles_of(user) - {Role.ENTERPRISE})


# --- the registry (projects and enterprises) ---------------------------------------------


def same_district(user, district_id) -> bool:
    return bool(user.is_superuser or (user.district_id and user.district_id == district_id))


def can_edit_registry(user, district_id) -> bool:
    """Create and edit projects and enterprises: the bureau and admins of the district."""
    if is_city(user):
        return False
    return has_role(user, *REGISTRY_EDITOR_ROLES) and same_district(user, district_id)


def can_delete_registry(user, district_id) -> bool:
    """Delete projects and enterprises: the district's administrators only."""
    if is_city(user):
        return False
    return has_role(user, Role.ADMIN) and same_district(user, district_id)
