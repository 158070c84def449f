"""Issuing and revoking API tokens; every revocation is a domain event."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import transaction

from zhaoshang.api.models import ApiToken, RevokeReason, digest
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event


def issue_token(user, name: str = "", actor=None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its key (the only time the key exists in
    clear). Past ``API_TOKEN_MAX_PER_USER`` live tokens the oldest are revoked; the user's
    tokens dead for longer than the token lifetime are deleted."""
    now = clock.now()
    ttl = datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    key = secrets.token_hex(20)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100],
            key_digest=digest(key),
            prefix=key[:8],
            created_at=now,
            expires_at=now + ttl,
        )
        log_event(
            actor or user,
            "api_token.issued",
            token,
            summary=f"{user.get_username()} {token}",
            user=user.pk,
            expires_at=token.expires_at,
        )
        surplus = list(
            ApiToken.objects.live(now)
            .filter(user=user)
            .order_by("-created_at", "-id")[settings.API_TOKEN_MAX_PER_USER :]
        )
        for old in surplus:
            revoke_token(old, actor=None, reason=RevokeReason.REPLACED)
        cutoff = now - ttl
        ApiToken.objects.filter(user=user, revoked_at__lt=cutoff).delete()
        ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__lt=cutoff).delete()
    return token, key


def revoke_token(token: ApiToken, actor, reason: str) -> bool:
    """Revoke one token (idempotent: ``False`` when it was already revoked)."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = clock.now()
        locked.revoked_by = actor if getattr(actor, "pk", None) else None
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        log_event(
            actor,
            "api_token.revoked",
            locked,
            summary=f"{locked.user.get_username()} {locked}: {locked.get_revoke_reason_display()}",
            user=locked.user_id,
            reason=reason,
        )
    token.revoked_at, token.revoked_by, token.revoke_reason = (
        locked.revoked_at,
        locked.revoked_by,
        locked.revoke_reason,
    )
    return True


def revoke_user_tokens(user, reason: str, actor=None) -> int:
    """Revoke every live token of ``user``; returns how many."""
    count = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("user"):
        count += revoke_token(token, actor, reason)
    return count
