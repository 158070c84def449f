"""What the agreements API shares: the version field and who may create."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission

from zhaoshang.core import roles
from zhaoshang.core.roles import REGISTRY_EDITOR_ROLES, Role

VERSION_HELP = gettext_lazy(
    "The version of the record you read; a stale version is refused with 409 and changes nothing."
)


def version_field(required: bool = False):
    return serializers.IntegerField(min_value=1, required=required, help_text=VERSION_HELP)


class CreatePermission(BasePermission):
    """Who may create at all (the services check the project and the department again)."""

    creators: tuple = ()

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return roles.has_role(request.user, *self.creators)


class AgreementCreatePermission(CreatePermission):
    creators = tuple(REGISTRY_EDITOR_ROLES)


class CommitmentCreatePermission(CreatePermission):
    creators = (*REGISTRY_EDITOR_ROLES, Role.DEPARTMENT)
