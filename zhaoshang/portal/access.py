"""Who may enter the service hall, and what of the district is theirs.

Every portal page and API resource starts from the caller's enterprise: a row of another
enterprise is simply not there (404). The staff querysets' ``visible_to`` is not used here:
it answers for government users (an enterprise user is kept out of the staff pages by
``core.middleware.PortalBoundaryMiddleware``, not by those querysets)."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required

from zhaoshang.core import roles
from zhaoshang.core.services import require


def is_contact(user) -> bool:
    """An active enterprise user attached to an enterprise: a contact of the portal (the
    rule is ``roles.is_contact_of``, asked of the user's own enterprise)."""
    return roles.is_contact_of(user, getattr(user, "enterprise_id", None))


def portal_view(view):
    """A portal page: logged in (else the login page), an enterprise contact (else 403)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        require(is_contact(request.user))
        return view(request, *args, **kwargs)

    return wrapper


def own_projects(user):
    """The contact's enterprise's projects."""
    from zhaoshang.projects.models import Project

    return Project.objects.filter(enterprise_id=user.enterprise_id)
