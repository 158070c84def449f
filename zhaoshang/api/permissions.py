"""API permissions. Visibility comes from each model's ``visible_to``; these decide
what a visible caller may do with it."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from zhaoshang.core import roles
from zhaoshang.core.roles import Role, can_edit_registry

# The generic write actions of a ModelViewSet; custom actions check their own rule.
WRITE_ACTIONS = frozenset({"create", "update", "partial_update", "destroy"})


class StaffApiPermission(BasePermission):
    """Authenticated government users read; writes are checked per view. City users
    are read-only everywhere; enterprise users have no staff API."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not roles.is_staff_user(user):
            return False
        # City users read every district and change nothing.
        return request.method in SAFE_METHODS or not roles.is_city(user)


def is_district_admin(user, district_id) -> bool:
    """An administrator of the district (a superuser administers every district)."""
    if roles.is_city(user) or not roles.has_role(user, Role.ADMIN):
        return False
    return bool(user.is_superuser or (user.district_id and user.district_id == district_id))


class RegistryPermission(BasePermission):
    """Projects and enterprises: the bureau and admins of the district create and edit;
    only admins delete (SPEC §1)."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) not in WRITE_ACTIONS:
            return True
        user = request.user
        if view.action == "create":
            return can_edit_registry(user, user.district_id)
        if view.action == "destroy":
            return roles.has_role(user, Role.ADMIN) and not roles.is_city(user)
        return can_edit_registry(user, user.district_id)

    def has_object_permission(self, request, view, obj):
        if getattr(view, "action", None) not in WRITE_ACTIONS:
            return True
        if view.action == "destroy":
            return is_district_admin(request.user, obj.district_id)
        return can_edit_registry(request.user, obj.district_id)


class ReferenceDataPermission(BasePermission):
    """Departments, parks, industries: everybody reads; the district's admin writes."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return roles.has_role(user, Role.ADMIN) and not roles.is_city(user)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return is_district_admin(request.user, obj.district_id)
