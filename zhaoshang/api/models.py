"""API tokens: several per user, each with a name, an expiry and a revocation record.

Only a SHA-256 digest of the key is stored; the key itself is shown once, when it is
issued. A token is live until it expires (``API_TOKEN_TTL_DAYS`` after issue) or is
revoked: by its user, by a district administrator, or by a change of the user's password
or deactivation of the account (``zhaoshang.api.signals``).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import clock, roles


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class RevokeReason(models.TextChoices):
    USER = "user", _("revoked by its user")
    ADMIN = "admin", _("revoked by an administrator")
    PASSWORD = "password", _("password changed")
    DEACTIVATED = "deactivated", _("account deactivated")
    REPLACED = "replaced", _("replaced by newer tokens")


class ApiTokenQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or clock.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def visible_to(self, user):
        """The tokens a district administrator may revoke: those of their district's users;
        every token for a superuser; none for anybody else."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if roles.has_role(user, roles.Role.ADMIN) and user.district_id:
            return self.filter(user__district_id=user.district_id)
        return self.none()


class ApiToken(models.Model):
    """A key a program presents as ``Authorization: Token <key>`` to act as its user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, shown so a user can tell tokens apart.
    prefix = models.CharField(_("begins with"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.CharField(
        _("reason"), max_length=16, choices=RevokeReason.choices, blank=True
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"])]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})" if self.name else f"{self.prefix}…"

    @property
    def district_id(self):
        """The token user's district (domain events about the token are filed there)."""
        return self.user.district_id

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= clock.now()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and not self.is_expired
