"""Navigation by role and the inbox badge, for every staff page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import roles
from zhaoshang.core.roles import Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    user_roles = roles.roles_of(user)
    is_admin = Role.ADMIN in user_roles and not roles.is_city(user)
    if roles.is_enterprise(user):
        items = [(_("My projects"), reverse("portal:home"), "bi-building")]
    else:
        items = [
            (_("Home"), reverse("home"), "bi-house"),
            (_("Projects"), reverse("projects:list"), "bi-kanban"),
            (_("Enterprises"), reverse("enterprises:list"), "bi-buildings"),
            (
                _("My worklist")
                if user_roles & {Role.DEPARTMENT, Role.SERVICE_CENTER}
                else _("Approvals"),
                reverse("approvals:worklist"),
                "bi-list-check",
            ),
        ]
        if Role.LEADER in user_roles:
            items.append((_("Receipts inbox"), reverse("service:inbox"), "bi-inbox"))
        items.append((_("Problem list"), reverse("service:needs"), "bi-exclamation-diamond"))
        if user_roles & {Role.SUPERVISOR, Role.BUREAU, Role.LEADER, Role.ADMIN}:
            items.append((_("Supervision board"), reverse("meetings:board"), "bi-clipboard-check"))
        if user_roles & {Role.SUPERVISOR, Role.ADMIN}:
            items.append((_("Complaint desk"), reverse("complaints:list"), "bi-megaphone"))
        if Role.DEPARTMENT in user_roles:
            items.append((_("Action items"), reverse("meetings:worklist"), "bi-list-task"))
        if user_roles & {Role.DEPARTMENT, Role.BUREAU, Role.SUPERVISOR, Role.ADMIN}:
            items.append(
                (_("Service commitments"), reverse("agreements:commitments"), "bi-calendar2-week")
            )
        if Role.PARK in user_roles:
            items.append((_("Park archive"), reverse("agreements:archive"), "bi-archive"))
        if is_admin:
            items.append((_("Calendar"), reverse("workdays:calendar"), "bi-calendar3"))
        if user_roles & {Role.ADMIN} or user.is_staff:
            items.append((_("Administration"), reverse("admin:index"), "bi-gear"))
    from zhaoshang.notifications.models import Notification

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    role_labels = [Role(r).label for r in Role.values if r in user_roles]
    calendar_warning = None
    if is_admin and not roles.is_enterprise(user):
        # From 1 November, admins are told when next year's arrangement is not published.
        from zhaoshang.workdays.services import cached_unpublished_next_year, warning_text

        year = cached_unpublished_next_year()
        calendar_warning = warning_text(year) if year else None
    return {
        "nav_items": items,
        "nav_unread": unread,
        "nav_roles": role_labels,
        "nav_is_enterprise": roles.is_enterprise(user),
        "nav_read_only": roles.is_city(user),
        "nav_calendar_warning": calendar_warning,
    }
