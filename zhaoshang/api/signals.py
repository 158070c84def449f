"""A user's API tokens end with their password or their account.

Whatever path changes a password (the password-change page, the admin, ``set_password``
in a script) ends in ``User.save()`` with ``_password`` set by ``set_password``; whatever
path deactivates an account saves ``is_active=False``. Both revoke every live token.
(``QuerySet.update()`` bypasses this; a deactivated user's tokens are refused anyway, as
authentication checks ``is_active``.)
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from zhaoshang.api.models import RevokeReason
from zhaoshang.api.services import revoke_user_tokens


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_password_change(sender, instance, **kwargs):
    # set_password() leaves the raw password in ``_password`` until save() has run.
    instance._api_password_changed = (
        instance.pk is not None and getattr(instance, "_password", None) is not None
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _revoke_tokens(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return
    if getattr(instance, "_api_password_changed", False):
        instance._api_password_changed = False
        revoke_user_tokens(instance, RevokeReason.PASSWORD, actor=_acting_user())
    elif not instance.is_active and (update_fields is None or "is_active" in update_fields):
        revoke_user_tokens(instance, RevokeReason.DEACTIVATED, actor=_acting_user())


def _acting_user():
    """Who made the change, when it came through a request (the admin, the password page)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None
