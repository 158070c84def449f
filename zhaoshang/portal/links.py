"""Where a staff page's link takes an enterprise user: its page in the service hall.

Notifications are written by the domain apps with the staff page's URL; ``notify`` hands
an enterprise recipient ``portal_url(url)`` instead (``notifications.services.link_for``),
so a contact never opens a page that answers 403. A staff page without a portal page, or
whose portal page is not installed, leads to the portal's home — never to a staff page."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

# Staff URL name → the portal URL name that shows the same record (the same primary key,
# passed positionally). A staff page of a project's part leads to the project's page.
PORTAL_PAGES = {
    "approvals:case": "portal:case",
    "approvals:project": "portal:project",
    "service:need": "portal:need",
    "service:project": "portal:project",
    "complaints:detail": "portal:complaint",
    "inspections:detail": "portal:inspection",
    "projects:detail": "portal:project",
    "projects:timeline": "portal:project",
    "projects:documents": "portal:project",
    "projects:funds": "portal:project",
    "projects:history": "portal:project",
    "projects:team": "portal:project",
    # The monthly report form: the portal's reporting page (of the project, else the list).
    "projects:progress": "portal:reports",
}
# Staff pages whose portal counterpart is a list (no record in the URL).
PORTAL_LISTS = {
    "approvals:worklist": "portal:approvals",
    "complaints:list": "portal:complaints",
    "inspections:list": "portal:inspections",
    "service:needs": "portal:needs",
    "agreements:commitments": "portal:commitments",
    "agreements:project": "portal:commitments",
}
# Paths an enterprise user opens as they are (its own pages, the inbox, its tokens).
KEPT_PREFIXES = ("/portal/", "/inbox/", "/accounts/", "/verify/")


def portal_home() -> str:
    return reverse("portal:home")


def portal_url(url: str) -> str:
    """The portal page for the staff page ``url`` (a path, or a full URL of this site);
    the portal's home when there is none."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.startswith(KEPT_PREFIXES):
        return url
    try:
        match = resolve(path)
    except Resolver404:
        return portal_home()
    name = match.view_name
    args = [*match.args, *match.kwargs.values()]
    target = PORTAL_PAGES.get(name)
    candidates = []
    if target is not None:
        candidates = [(target, args[:1]), (target, [])] if args else [(target, [])]
    elif name in PORTAL_LISTS:
        candidates = [(PORTAL_LISTS[name], [])]
    for portal_name, portal_args in candidates:
        try:
            return reverse(portal_name, args=portal_args)
        except NoReverseMatch:
            continue  # that portal page is not built (yet), or takes other arguments
    return portal_home()
