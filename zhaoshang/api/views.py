"""Pages for API tokens: a user's own (``/accounts/tokens/``) and, for district
administrators, those of their district's users (``/accounts/tokens/district/``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhaoshang.api.models import ApiToken, RevokeReason
from zhaoshang.api.services import issue_token, revoke_token
from zhaoshang.core import clock, roles
from zhaoshang.core.views_helpers import paginate

# The key of a token just created, shown once on the next page and then forgotten.
_NEW_KEY = "api_token_new_key"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("What the token is for, e.g. the program that uses it."),
    )


def _may_manage_district(user) -> bool:
    return user.is_superuser or (roles.has_role(user, roles.Role.ADMIN) and bool(user.district_id))


@login_required
def token_list(request):
    tokens = request.user.api_tokens.select_related("revoked_by").order_by("-created_at", "-id")
    return render(
        request,
        "api/tokens.html",
        {
            "page": paginate(request, tokens, 30),
            "form": TokenForm(),
            "new_key": request.session.pop(_NEW_KEY, None),
            "now": clock.now(),
            "ttl_days": settings.API_TOKEN_TTL_DAYS,
            "may_manage_district": _may_manage_district(request.user),
        },
    )


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}")
        return redirect("tokens:list")
    _token, key = issue_token(request.user, name=form.cleaned_data["name"])
    request.session[_NEW_KEY] = key
    return redirect("tokens:list")


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(request.user.api_tokens.select_related("user"), pk=pk)
    if revoke_token(token, request.user, RevokeReason.USER):
        messages.success(request, _("The token was revoked."))
    return redirect("tokens:list")


@login_required
def district_tokens(request):
    if not _may_manage_district(request.user):
        raise PermissionDenied
    tokens = (
        ApiToken.objects.visible_to(request.user)
        .live()
        .select_related("user", "user__district")
        .order_by("user__username", "-created_at", "-id")
    )
    return render(request, "api/district_tokens.html", {"page": paginate(request, tokens, 50)})


@login_required
@require_POST
def district_token_revoke(request, pk):
    if not _may_manage_district(request.user):
        raise PermissionDenied
    token = get_object_or_404(
        ApiToken.objects.visible_to(request.user).select_related("user"), pk=pk
    )
    if revoke_token(token, request.user, RevokeReason.ADMIN):
        messages.success(
            request,
            _("The token of %(user)s was revoked.") % {"user": token.user.get_username()},
        )
    return redirect("tokens:district")
