"""A log-in is not a change of the person: ``last_login`` is written with a plain UPDATE,
so the change history (django-simple-history) gets no row for every log-in.

Django's own receiver (``django.contrib.auth.models.update_last_login``) saves the whole
user, which simple-history records as a change. This module is imported by
``org.models``; Django imports every app's models before it runs any app's ``ready()``,
so the receiver below is connected under Django's ``dispatch_uid`` before
``django.contrib.auth``'s ``ready()`` tries to connect its own — and a signal connects
nothing twice under one ``dispatch_uid``.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in

from zhaoshang.core import clock

DISPATCH_UID = "update_last_login"  # the one django.contrib.auth.apps uses


def record_last_login(sender, user, **kwargs) -> None:
    """Note the moment of a log-in on the person, without a change-history row."""
    moment = clock.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=moment)
    user.last_login = moment


def connect() -> None:
    """Put ``record_last_login`` in the place of Django's receiver (idempotent)."""
    user_logged_in.disconnect(dispatch_uid=DISPATCH_UID)
    user_logged_in.connect(record_last_login, dispatch_uid=DISPATCH_UID)


connect()
