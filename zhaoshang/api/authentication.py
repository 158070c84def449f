"""``Authorization: Token <key>`` checked against the stored digests of ``ApiToken``."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from zhaoshang.api.models import ApiToken, digest
from zhaoshang.core import clock, datastamp

# ``last_used_at`` is written at most this often per token (not a write per request).
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_digest=digest(key)).first()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = clock.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("The token expired: ask for a new one at /api/v1/auth/token/.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            with datastamp.as_person(token.user):  # (their district's pages, not all)
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return (token.user, token)
