"""Who may look at the platform's running state (the operations page)."""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role
from zhaoshang.notifications.models import OutboxMessage


def can_view_operations(user) -> bool:
    """Superusers and the admin role (a district's administrators, city administrators)."""
    return bool(getattr(user, "is_superuser", False) or roles.has_role(user, Role.ADMIN))


def outbox_visible_to(user):
    """The outbox messages an administrator may see: every one for superusers (the city's
    administrators, as in /admin/), else those to the people of their own district; an
    administrator without a district sees none rather than every district's."""
    qs = OutboxMessage.objects.all()
    if not can_view_operations(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.district_id is None:
        return qs.none()
    return qs.filter(notification__recipient__district_id=user.district_id)
