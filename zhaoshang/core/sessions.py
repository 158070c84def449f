"""The session store: Django's database sessions, the session read by a statement compiled
once per process (``core.statements``, issue 19, point 2) — every page reads it first.

The row is read by its key alone and an expired one is treated as missing, as Django's
``expire_date__gt=now`` filter does (``tests/test_sessions.py`` compares both)."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from zhaoshang.core import statements


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        try:
            found = statements.rows(
                ("core.sessions", model),
                lambda key: model.objects.filter(session_key=key)[:1],
                self.session_key,
            )
        except SuspiciousOperation as e:  # pragma: no cover (as Django's own store)
            logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
            logger.warning(str(e))
            found = []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
