"""API permissions. Visibility comes from each model's ``visible_to``; these decide
what a visible caller may do with it."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from zhaoshang.core import roles


class StaffApiPermission(BasePermission):
    """Authenticated government users read; writes are checked per view. City users
    are read-only everywhere; enterprise users have no staff API."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not roles.is_staff_user(user):
            return False
        if request.method not in SAFE_METHODS and roles.is_city(user):
            return False
        return True
