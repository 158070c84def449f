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
        items = [(_("My projects"), reverse("portal:home"), "bi-building", None)]
    else:
        items = _staff_navigation(user, user_roles, is_admin)
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


# The groups of the top bar: a group with one entry shows it directly.
SERVICE, SUPERVISION, SYSTEM = "service", "supervision", "system"
# Targets, KPIs, reports and the assessment (SPEC §12) share one menu.
FIGURES = "figures"
GROUP_LABELS = {
    SERVICE: (_("Project service"), "bi-briefcase"),
    SUPERVISION: (_("Supervision"), "bi-clipboard-check"),
    FIGURES: (_("Targets and reports"), "bi-graph-up"),
    SYSTEM: (_("System"), "bi-gear"),
}
GROUPS = {
    "service:inbox": SERVICE,
    "service:needs": SERVICE,
    "meetings:worklist": SERVICE,
    "agreements:commitments": SERVICE,
    "agreements:archive": SERVICE,
    "meetings:board": SUPERVISION,
    "monitoring:board": SUPERVISION,
    "complaints:list": SUPERVISION,
    "inspections:list": SUPERVISION,
    "exits:list": SUPERVISION,
    "kpis:index": FIGURES,
    "assessment:rankings": FIGURES,
    "reports:hub": FIGURES,
    "workdays:calendar": SYSTEM,
    "ops:status": SYSTEM,
    "admin:index": SYSTEM,
}


def _group(entries) -> list:
    """(label, href, icon, children): entries of a group go under its dropdown, in order,
    where the group's first entry was."""
    from django.urls import resolve

    out: list = []
    groups: dict = {}
    for label, href, icon in entries:
        match = resolve(href.split("?")[0])
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        group = GROUPS.get(name)
        if group is None:
            out.append((label, href, icon, None))
            continue
        if group not in groups:
            groups[group] = []
            label_of_group, icon_of_group = GROUP_LABELS[group]
            out.append((label_of_group, "", icon_of_group, groups[group]))
        groups[group].append((label, href, icon, href.split("?")[0]))
    # A group of one is its entry.
    return [
        (*entry[3][0][:3], None) if entry[3] is not None and len(entry[3]) == 1 else entry
        for entry in out
    ]


def _staff_navigation(user, user_roles, is_admin) -> list:
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
        items.append((_("Lights board"), reverse("monitoring:board"), "bi-stoplights"))
    if user_roles & {Role.SUPERVISOR, Role.ADMIN}:
        items.append((_("Complaint desk"), reverse("complaints:list"), "bi-megaphone"))
    elif Role.DEPARTMENT in user_roles:
        items.append(
            (
                _("Complaints against us"),
                f"{reverse('complaints:list')}?mine=1",
                "bi-megaphone",
            )
        )
    if user_roles & {Role.SUPERVISOR, Role.ADMIN}:
        items.append((_("Inspection approvals"), reverse("inspections:list"), "bi-shield-check"))
    elif Role.DEPARTMENT in user_roles:
        items.append(
            (
                _("Inspection requests"),
                reverse("inspections:list") + "?mine=1",
                "bi-shield-check",
            )
        )
    if Role.DEPARTMENT in user_roles:
        items.append((_("Action items"), reverse("meetings:worklist"), "bi-list-task"))
    if user_roles & {Role.DEPARTMENT, Role.BUREAU, Role.SUPERVISOR, Role.ADMIN}:
        items.append(
            (_("Service commitments"), reverse("agreements:commitments"), "bi-calendar2-week")
        )
    if user_roles & {Role.SUPERVISOR, Role.BUREAU, Role.LEADER, Role.ADMIN, Role.PARK}:
        items.append((_("Exit warnings"), reverse("exits:list"), "bi-sign-stop"))
    if Role.PARK in user_roles:
        items.append((_("Park archive"), reverse("agreements:archive"), "bi-archive"))
    if user_roles & {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.PARK, Role.SUPERVISOR}:
        items.append((_("Land"), reverse("land:parcels"), "bi-map"))
    if user_roles & {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.SUPERVISOR, Role.CITY}:
        items.append((_("KPIs"), reverse("kpis:index"), "bi-graph-up"))
    if user_roles & {Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.DEPARTMENT, Role.CITY}:
        items.append((_("Assessment"), reverse("assessment:rankings"), "bi-award"))
    if user_roles & {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.SUPERVISOR, Role.PARK, Role.CITY}:
        items.append((_("Reports"), reverse("reports:hub"), "bi-file-earmark-text"))
    if is_admin:
        items.append((_("Calendar"), reverse("workdays:calendar"), "bi-calendar3"))
    if Role.ADMIN in user_roles:  # the admin role of a district or the city; superusers
        items.append((_("Operations"), reverse("ops:status"), "bi-activity"))
    if user_roles & {Role.ADMIN} or user.is_staff:
        items.append((_("Administration"), reverse("admin:index"), "bi-gear"))
    return _group(items)
