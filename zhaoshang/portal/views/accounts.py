"""The enterprise's people: its contacts (``portal:contacts``) and the invitation link a new
contact opens to set a password (``/accounts/invite/<token>/``, reached without logging in).

Contacts are invited and removed by staff (the bureau, the district's administrators) on
the enterprise's page; a contact sees the others and the open invitations but removes
nobody (there is no primary contact)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.password_validation import password_validators_help_texts
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from zhaoshang.core import clock
from zhaoshang.core.actions import run_service
from zhaoshang.core.services import STATUS_FIELD
from zhaoshang.enterprises import contacts as contact_services
from zhaoshang.enterprises.forms import AcceptInvitationForm
from zhaoshang.enterprises.models import ContactInvitation, InvitationStatus
from zhaoshang.portal.access import portal_view

# The backend the new contact is logged in with (the site has several).
LOGIN_BACKEND = "zhaoshang.core.backends.UserBackend"


@portal_view
def contacts(request):
    """The enterprise's contacts, removed ones greyed, and the invitations still open."""
    enterprise = request.user.enterprise
    now = clock.now()
    people = (
        get_user_model()
        .objects.filter(enterprise_id=enterprise.pk)
        .order_by("-is_active", "real_name", "id")
    )
    invitations = (
        ContactInvitation.objects.pending_at(now)
        .filter(enterprise_id=enterprise.pk)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "portal/contacts.html",
        {"enterprise": enterprise, "people": people, "invitations": invitations},
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept_invitation(request, token):
    """The invitee sets a password; the account is made and logged in to the service hall.
    A used, withdrawn or expired link says so (410); an unknown one is 404."""
    invitation = contact_services.find_invitation(token)
    if invitation is None:
        return _closed(request, None, _("This invitation link is not valid."), status=404)
    status = invitation.status
    if status != InvitationStatus.PENDING:
        return _closed(request, invitation, contact_services.closed_message(status), status=410)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    page_status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(
            request,
            form,
            lambda: contact_services.accept_invitation(
                invitation, data["password1"], data["password2"]
            ),
        )
        if outcome.ok:
            login(request, outcome.result, backend=LOGIN_BACKEND)
            messages.success(
                request,
                _("Welcome, %(name)s: your account is ready. Your user name is %(username)s.")
                % {"name": outcome.result.display_name, "username": outcome.result.username},
            )
            return redirect("portal:home")
        if outcome.error is not None and STATUS_FIELD in getattr(outcome.error, "message_dict", {}):
            # Used or withdrawn while the page was open.
            return _closed(request, invitation, " ".join(outcome.error.messages), status=410)
        page_status = outcome.status
    elif request.method == "POST":
        page_status = 400
    return render(
        request,
        "portal/invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "password_help": password_validators_help_texts(),
        },
        status=page_status,
    )


def _closed(request, invitation, message: str, status: int):
    return render(
        request,
        "portal/invitation_closed.html",
        {"invitation": invitation, "message": message},
        status=status,
    )
