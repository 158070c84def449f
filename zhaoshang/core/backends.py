"""Django-admin permissions from roles: a district's ``admin`` role manages its own
district's reference data and users in /admin/ (SPEC §1), without per-user grants.

Every admin of these apps is a ``core.admin_base.ScopedAdmin`` (a system check insists): the
pages, choices, filters, history and revert views reach only the admin's own district.
Who administers: the ``admin`` and ``city`` roles, staff status and superuser rights are
given only by a superuser (org/admin.py ``UserAdmin``); a user holding ``admin`` together
with ``city`` is the administrator of its district here, like everywhere else (``is_city``
is false for them), and has no admin rights without a district.

National data (districts, GB/T 4754 classes, material types) is view-only for them;
superusers (the platform's IT staff) keep every permission through ModelBackend. The
working-day calendar is national too, but SPEC §5 has it extended by "an admin": the admin
role edits it (every change is in the year's history and the domain event log).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.db import connections
from django.db.models import Aggregate, JSONField, OuterRef, Subquery

from zhaoshang.core import roles, statements

ADMIN_APPS = {
    "org",
    "enterprises",
    "projects",
    "approvals",
    "service",
    "meetings",
    "agreements",
    "complaints",
    "land",
    "monitoring",
    "assessment",
    "notifications",
    "core",
    "workdays",
    "exits",
    "inspections",
    "kpis",
    "reports",
}
NATIONAL_MODELS = {"district", "industryclass", "materialtype"}
READ_ONLY_MODELS = {"domainevent", "notification", "outboxmessage"}


class RoleAdminBackend(BaseBackend):
    def _is_district_admin(self, user) -> bool:
        return bool(
            user.is_active
            and user.is_staff
            and user.district_id
            and roles.has_role(user, roles.Role.ADMIN)
            and not roles.is_city(user)
        )

    def has_module_perms(self, user, app_label):
        return self._is_district_admin(user) and app_label in ADMIN_APPS

    def has_perm(self, user, perm, obj=None):
        if not self._is_district_admin(user) or "." not in perm:
            return False
        app_label, codename = perm.split(".", 1)
        if app_label not in ADMIN_APPS:
            return False
        action, _sep, model = codename.partition("_")
        if model in NATIONAL_MODELS or model in READ_ONLY_MODELS:
            return action == "view"
        return action in {"view", "add", "change", "delete"}


class _NameArray(Aggregate):
    """The aggregated values as a JSON array: exact whatever a group's name holds (a comma,
    a quote), unlike a joined string."""

    # SQLite; PostgreSQL: JSONB_AGG (psycopg hands jsonb to Django as text, json decoded).
    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


# The databases whose aggregate ``_NameArray`` speaks; elsewhere the roles are read apart.
_NAME_ARRAY_VENDORS = frozenset({"sqlite", "postgresql"})


class UserBackend(ModelBackend):
    """Django's ModelBackend, but the request's user — read from the session on every
    request — comes with its district and department, which every page's menu shows, and
    with the names of its groups, its roles (``core.roles``): one statement instead of
    four. Its statement is compiled once per process (``core.statements``)."""

    def get_user(self, user_id):
        users, with_roles = _users_with_roles()
        found = statements.rows(
            ("core.backends.user", with_roles), lambda pk: users.filter(pk=pk)[:1], user_id
        )
        user = found[0] if found else None
        if user is None or not self.user_can_authenticate(user):
            return None
        if with_roles:
            roles.remember_roles(user, user.zs_group_names)
        return user


def _users_with_roles():
    """(the users with their district, department and groups' names, whether the names are
    there): the queryset built once per database (each request filters a clone of it)."""
    model = get_user_model()
    users = model._default_manager.select_related("district", "department")
    key = (model, users.db)
    found = _USERS.get(key)
    if found is None:
        with_roles = connections[users.db].vendor in _NAME_ARRAY_VENDORS
        if with_roles:
            names = (
                model.groups.through.objects.filter(user_id=OuterRef("pk"))
                .order_by()
                .values("user_id")
                .annotate(names=_NameArray("group__name"))
                .values("names")
            )
            users = users.annotate(zs_group_names=Subquery(names))
        found = _USERS[key] = (users, with_roles)
    return found


_USERS: dict = {}
