"""Where a staff page's link takes an enterprise user: its page in the service hall.

Notifications are written by the domain apps with the staff page's URL; ``notify`` hands
an enterprise recipient ``portal_url(url)`` instead (``notifications.services.link_for``),
so a contact never opens a page that answers 403. A staff page without a portal page, or
whose portal page is not installed, leads to the portal's home — never to a staff page."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

# Staff URL name → the portal pages tried in order: the first with the staff page's primary
# key (the same record), then a list page without one. A staff page of a project's part
# leads to the project's page.
PORTAL_PAGES: dict[str, tuple[str | None, str | None]] = {
    "approvals:case": ("portal:case", "portal:approvals"),
    "approvals:project": (None, "portal:approvals"),
    "approvals:worklist": (None, "portal:approvals"),
    "service:need": ("portal:need", "portal:needs"),
    "service:needs": (None, "portal:needs"),
    "service:project": ("portal:project", None),
    "complaints:detail": ("portal:complaint", "portal:complaints"),
    "complaints:list": (None, "portal:complaints"),
    # A staff inspection page is a request (several visits): the enterprise's list.
    "inspections:detail": (None, "portal:inspections"),
    "inspections:list": (None, "portal:inspections"),
    "projects:detail": ("portal:project", None),
    "projects:timeline": ("portal:project", None),
    "projects:funds": ("portal:project", None),
    "projects:history": ("portal:project", None),
    "projects:team": ("portal:project", None),
    "projects:documents": ("portal:documents", None),
    # The monthly report form: the project's reports in the portal, else the reporting page.
    "projects:progress": ("portal:report_history", "portal:reports"),
    "agreements:project": (None, "portal:commitments"),
    "agreements:commitments": (None, "portal:commitments"),
    # A rating's follow-up: the enterprise's own ratings.
    "ratings:detail": (None, "portal:ratings"),
    "ratings:list": (None, "portal:ratings"),
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
    pk = match.kwargs.get("pk", match.args[0] if match.args else None)
    with_pk, listing = PORTAL_PAGES.get(match.view_name, (None, None))
    candidates = []
    if with_pk and pk is not None:
        candidates.append((with_pk, [pk]))
    if listing:
        candidates.append((listing, []))
    for portal_name, args in candidates:
        try:
            return reverse(portal_name, args=args)
        except NoReverseMatch:
            continue  # that portal page is not built (yet)
    return portal_home()
