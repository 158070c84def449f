"""Navigation by role and the inbox badge, for every staff page."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import roles, statements
from zhaoshang.core.roles import Role


def navigation(request):
    """The menu and the user's labels, computed once per request (a page may render several
    templates with the request); the unread count is read when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_zs_navigation", None)
    if cached is not None and cached[0] is user:
        return cached[1]
    context = _navigation(user)
    request._zs_navigation = (user, context)
    return context


def _navigation(user) -> dict:
    user_roles = roles.roles_of(user)
    is_admin = Role.ADMIN in user_roles and not roles.is_city(user)
    enterprise = roles.is_enterprise(user)
    tabs = []
    if enterprise:
        from zhaoshang.portal.menu import portal_items

        menu = portal_items()
        items = [(label, href, icon, None) for label, href, icon, _children, _tab in menu]
        tabs = [(label, href, icon) for label, href, icon, _children, tab in menu if tab]
    else:
        items = _staff_navigation(user, user_roles, is_admin)
    calendar_warning = None
    if is_admin and not enterprise:
        # From 1 November, admins are told when next year's arrangement is not published.
        from zhaoshang.workdays.services import cached_unpublished_next_year, warning_text

        year = cached_unpublished_next_year()
        calendar_warning = warning_text(year) if year else None
    return {
        "nav_items": items,
        "nav_unread": _UnreadCount(user),
        "nav_roles": [Role(r).label for r in Role.values if r in user_roles],
        "nav_is_enterprise": enterprise,
        "nav_portal_tabs": tabs,
        # Menu entries lit only on their own page, not on every page under them.
        "nav_exact": {"/", _urls()["portal:home"]},
        "nav_read_only": roles.is_city(user),
        "nav_calendar_warning": calendar_warning,
    }


class _UnreadCount:
    """The user's unread notifications, counted once, when a template first shows them
    (a template calls it: ``{% if nav_unread %}{{ nav_unread }}``)."""

    def __init__(self, user):
        self.user = user
        self.value: int | None = None

    def __call__(self) -> int:
        if self.value is None:
            found = statements.rows("dashboard.nav_unread", _unread, self.user.pk)
            self.value = found[0] if found else 0
        return self.value


def _unread(user_id: int):
    """The unread notifications of a user, counted (no row when there are none): every
    page's statement, compiled once (``core.statements``)."""
    from zhaoshang.notifications.models import Notification

    return (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )


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
    "service:forwarded": SERVICE,
    "service:needs": SERVICE,
    "meetings:worklist": SERVICE,
    "agreements:commitments": SERVICE,
    "agreements:archive": SERVICE,
    "agreements:key_gantt": SERVICE,
    "projects:backfill": SERVICE,
    "meetings:board": SUPERVISION,
    "monitoring:board": SUPERVISION,
    "monitoring:map": SUPERVISION,
    "screen": SUPERVISION,
    "complaints:list": SUPERVISION,
    "inspections:list": SUPERVISION,
    "ratings:list": SUPERVISION,
    "exits:list": SUPERVISION,
    "kpis:index": FIGURES,
    "assessment:rankings": FIGURES,
    "reports:hub": FIGURES,
    "onboarding:index": SYSTEM,
    "workdays:calendar": SYSTEM,
    "ops:status": SYSTEM,
    "admin:index": SYSTEM,
}


# Per URL configuration and script prefix: the menu's fixed URLs, reversed once, and the
# menu of each kind of user (roles, district administrator, staff) built with them.
_CACHE: dict = {}


def _cached() -> tuple[dict[str, str], dict]:
    from django.urls import get_resolver, get_script_prefix, get_urlconf

    key = (get_resolver(get_urlconf()), get_script_prefix())
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) > 16:  # URL configurations swapped by tests
            _CACHE.clear()
        urls = {name: reverse(name) for name in (*URL_NAMES, "portal:home")}
        found = _CACHE[key] = (urls, {})
    return found


def _urls() -> dict[str, str]:
    return _cached()[0]


# The staff menu, in order: (label, URL name, query, icon, who sees it): everybody (None),
# the holders of one of these roles, or a rule of ``_shown``. The approvals' label depends
# on the role (``_staff_navigation``).
MENU = [
    (_("Home"), "home", "", "bi-house", None),
    (_("Projects"), "projects:list", "", "bi-kanban", None),
    (_("Enterprises"), "enterprises:list", "", "bi-buildings", None),
    (None, "approvals:worklist", "", "bi-list-check", None),
    (_("Receipts inbox"), "service:inbox", "", "bi-inbox", {Role.LEADER}),
    (_("Forwarded to the principal leaders"), "service:forwarded", "", "bi-send", {Role.LEADER}),
    (_("Problem list"), "service:needs", "", "bi-exclamation-diamond", None),
    (
        _("Supervision board"),
        "meetings:board",
        "",
        "bi-clipboard-check",
        {Role.SUPERVISOR, Role.BUREAU, Role.LEADER, Role.ADMIN},
    ),
    (
        _("Lights board"),
        "monitoring:board",
        "",
        "bi-stoplights",
        {Role.SUPERVISOR, Role.BUREAU, Role.LEADER, Role.ADMIN},
    ),
    (_("District map"), "monitoring:map", "", "bi-map", None),
    (
        _("Big screen"),
        "screen",
        "",
        "bi-display",
        {Role.LEADER, Role.BUREAU, Role.SUPERVISOR, Role.ADMIN, Role.CITY},
    ),
    (_("Complaint desk"), "complaints:list", "", "bi-megaphone", {Role.SUPERVISOR, Role.ADMIN}),
    (
        _("Complaints against us"),
        "complaints:list",
        "?mine=1",
        "bi-megaphone",
        "department_only",
    ),
    (
        _("Inspection approvals"),
        "inspections:list",
        "",
        "bi-shield-check",
        {Role.SUPERVISOR, Role.ADMIN},
    ),
    (
        _("Inspection requests"),
        "inspections:list",
        "?mine=1",
        "bi-shield-check",
        "department_only",
    ),
    (
        _("Enterprise ratings"),
        "ratings:list",
        "",
        "bi-star",
        {Role.SUPERVISOR, Role.BUREAU, Role.LEADER, Role.ADMIN, Role.DEPARTMENT, Role.CITY},
    ),
    (_("Action items"), "meetings:worklist", "", "bi-list-task", {Role.DEPARTMENT}),
    (
        _("Service commitments"),
        "agreements:commitments",
        "",
        "bi-calendar2-week",
        {Role.DEPARTMENT, Role.BUREAU, Role.SUPERVISOR, Role.ADMIN},
    ),
    (
        _("Exit warnings"),
        "exits:list",
        "",
        "bi-sign-stop",
        {Role.SUPERVISOR, Role.BUREAU, Role.LEADER, Role.ADMIN, Role.PARK},
    ),
    (
        _("Key projects' Gantt"),
        "agreements:key_gantt",
        "",
        "bi-bar-chart-steps",
        # The city reads every district's key projects (the chart names their district).
        {Role.LEADER, Role.BUREAU, Role.SUPERVISOR, Role.ADMIN, Role.PARK, Role.CITY},
    ),
    (_("Park archive"), "agreements:archive", "", "bi-archive", {Role.PARK}),
    # The evidence imported (补录) stages still owe: the registry staff's list.
    (
        _("Evidence owed (补录)"),
        "projects:backfill",
        "",
        "bi-file-earmark-plus",
        {Role.ADMIN, Role.BUREAU},
    ),
    (
        _("Land"),
        "land:parcels",
        "",
        "bi-map",
        {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.PARK, Role.SUPERVISOR},
    ),
    (
        _("KPIs"),
        "kpis:index",
        "",
        "bi-graph-up",
        {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.SUPERVISOR, Role.CITY},
    ),
    (
        _("Assessment"),
        "assessment:rankings",
        "",
        "bi-award",
        {Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.DEPARTMENT, Role.CITY},
    ),
    (
        _("Reports"),
        "reports:hub",
        "",
        "bi-file-earmark-text",
        {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.SUPERVISOR, Role.PARK, Role.CITY},
    ),
    # Bringing a district's own ledger in (补录导入): the registry editors.
    (_("Ledger import"), "onboarding:index", "", "bi-journal-arrow-up", {Role.ADMIN, Role.BUREAU}),
    (_("Calendar"), "workdays:calendar", "", "bi-calendar3", "district_admin"),
    # The admin role of a district or the city; superusers.
    (_("Operations"), "ops:status", "", "bi-activity", {Role.ADMIN}),
    (_("Administration"), "admin:index", "", "bi-gear", "admin_or_staff"),
]
URL_NAMES = tuple(dict.fromkeys(name for _label, name, _q, _i, _who in MENU))


def _shown(who, user_roles, is_admin, is_staff) -> bool:
    if who is None:
        return True
    if who == "department_only":  # a department handler who is neither supervisor nor admin
        return Role.DEPARTMENT in user_roles and not user_roles & {Role.SUPERVISOR, Role.ADMIN}
    if who == "district_admin":
        return is_admin
    if who == "admin_or_staff":
        return Role.ADMIN in user_roles or is_staff
    return bool(user_roles & who)


def _staff_navigation(user, user_roles, is_admin) -> list:
    urls, menus = _cached()
    is_staff = bool(user.is_staff)
    key = (user_roles, is_admin, is_staff)
    menu = menus.get(key)
    if menu is None:
        entries = []
        for label, name, query, icon, who in MENU:
            if not _shown(who, user_roles, is_admin, is_staff):
                continue
            if label is None:
                label = (
                    _("My worklist")
                    if user_roles & {Role.DEPARTMENT, Role.SERVICE_CENTER}
                    else _("Approvals")
                )
            entries.append((label, name, urls[name], query, icon))
        menu = menus[key] = _group(entries)
    return menu


def _group(entries) -> list:
    """(label, href, icon, children): entries of a group go under its dropdown, in order,
    where the group's first entry was; a group of one is its entry."""
    out: list = []
    groups: dict = {}
    for label, name, path, query, icon in entries:
        href = path + query
        group = GROUPS.get(name)
        if group is None:
            out.append((label, href, icon, None))
            continue
        if group not in groups:
            groups[group] = []
            label_of_group, icon_of_group = GROUP_LABELS[group]
            out.append((label_of_group, "", icon_of_group, groups[group]))
        groups[group].append((label, href, icon, path))
    return [
        (*entry[3][0][:3], None) if entry[3] is not None and len(entry[3]) == 1 else entry
        for entry in out
    ]
