"""What every service function shares: the permission check, the status check and the
row lock with its one error shape (pretix's ``locking``; zulip's ``actions``).

A service checks, locks, changes and logs::

    require(permissions.can_handle(user, case))
    case = lock_for_update(case, expected_version, select_related=("item",))
    require_status(case, CaseStatus.PENDING)
    ...
    case.save_new_version()
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from zhaoshang.core.exceptions import ConcurrentEditError

# The key of a wrong-status error, in every app, on the page and in the API.
STATUS_FIELD = "status"


def require(allowed: bool) -> None:
    """Refuse (403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied


def _status_text(obj) -> str:
    display = getattr(obj, "get_status_display", None)
    return str(display()) if callable(display) else str(getattr(obj, "status", ""))


def require_status(obj, *allowed: str, message: str | None = None) -> None:
    """Refuse with an error under ``status`` unless ``obj.status`` is one of ``allowed``."""
    if obj.status not in allowed:
        raise ValidationError(
            {
                STATUS_FIELD: message
                or _("This cannot be done while it is “%(status)s”.")
                % {"status": _status_text(obj)}
            }
        )


def status_error(message) -> ValidationError:
    """A refusal about the record's state (the same key as ``require_status``)."""
    return ValidationError({STATUS_FIELD: message})


def lock_for_update(
    obj,
    expected_version: int | None = None,
    *,
    select_related: Iterable[str] = (),
    message: str | None = None,
):
    """The row of ``obj`` re-read under ``SELECT … FOR UPDATE`` (inside the caller's
    transaction). With ``expected_version``, a row changed since the writer read it raises
    ``ConcurrentEditError`` (409 on a page and in the API), naming its state now.

    The related rows read with it are ``select_related`` or else the model's
    ``lock_related`` (what its services need beside the row, declared once per model)."""
    model = type(obj)
    queryset = model._base_manager.select_for_update(of=("self",))
    related = tuple(select_related) or tuple(getattr(model, "lock_related", ()))
    if related:
        queryset = queryset.select_related(*related)
    locked = queryset.get(pk=obj.pk)
    if expected_version is not None and locked.version != expected_version:
        if message is None and hasattr(locked, "status"):
            message = _(
                "Someone else changed this record after you opened it (it is now "
                "“%(status)s”). Reload the page to see what changed; nothing of yours "
                "was saved."
            ) % {"status": _status_text(locked)}
        raise ConcurrentEditError(message)
    return locked
