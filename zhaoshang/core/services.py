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

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models.constants import LOOKUP_SEP
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


def gather(errors: dict, check, *args, **kwargs):
    """Run ``check(*args, **kwargs)``; a ValidationError it raises joins ``errors``
    (field → messages; ``__all__`` for one without a field) instead of stopping
    the caller, so that one answer names every problem of the input. Returns what
    ``check`` returned, or None when it refused."""
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        add_errors(errors, exc)
        return None


def add_errors(errors: dict, exc: ValidationError) -> None:
    """Add the messages of ``exc`` to ``errors`` (field → list of messages)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    else:
        errors.setdefault(NON_FIELD_ERRORS, []).extend(exc.messages)


def raise_errors(errors: dict) -> None:
    """Refuse with every problem gathered in ``errors``, if any (each message once)."""
    if errors:
        raise ValidationError({field: list(dict.fromkeys(m)) for field, m in errors.items()})


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
    ``lock_related`` (what its services need beside the row, declared once per model).
    Those the caller's ``obj`` holds already are handed over instead of read again (they
    are not locked either way), as long as the row still points at them; only the missing
    ones are joined."""
    model = type(obj)
    related = tuple(select_related) or tuple(getattr(model, "lock_related", ()))
    held = [path for path in related if _holds(obj, path)]
    missing = [path for path in related if path not in held]
    queryset = model._base_manager.select_for_update(of=("self",))
    if missing:
        queryset = queryset.select_related(*missing)
    locked = queryset.get(pk=obj.pk)
    for path in held:
        _hand_over(obj, locked, path)
    if expected_version is not None and locked.version != expected_version:
        if message is None and hasattr(locked, "status"):
            message = _(
                "Someone else changed this record after you opened it (it is now "
                "“%(status)s”). Reload the page to see what changed; nothing of yours "
                "was saved."
            ) % {"status": _status_text(locked)}
        raise ConcurrentEditError(message)
    return locked


def rows_in_hand(obj) -> list[str]:
    """The foreign keys of ``obj`` set to saved rows the caller holds (model instances with
    a key): ``full_clean(exclude=...)`` need not query whether those rows exist."""
    return [
        f.name
        for f in obj._meta.concrete_fields
        if f.many_to_one
        and f.is_cached(obj)
        and getattr(f.get_cached_value(obj), "pk", None) is not None
    ]


def hand_over(instance, name: str, rows, key=None) -> None:
    """Give ``instance`` the ``rows`` of its relation ``name`` just written (ordered by
    ``key``, or as given), as ``prefetch_related`` leaves them: the caller reads them
    without a query."""
    held = getattr(instance, name).all()
    held._result_cache = list(rows) if key is None else sorted(rows, key=key)
    held._prefetch_done = True
    instance._prefetched_objects_cache = {name: held}


def _forward(model, name: str):
    """The forward foreign key (or one-to-one) ``name`` of ``model``, else None."""
    field = model._meta.get_field(name)
    if field.concrete and (field.many_to_one or field.one_to_one):
        return field
    return None


def _holds(obj, path: str) -> bool:
    """Whether ``obj`` holds every row along ``path`` already (or the path ends at an
    empty foreign key), so that none of it need be read again."""
    node = obj
    for name in path.split(LOOKUP_SEP):
        field = _forward(type(node), name)
        if field is None:
            return False  # a reverse relation: always read with the row
        if getattr(node, field.attname) is None:
            return True
        if not field.is_cached(node):
            return False
        node = field.get_cached_value(node)
    return True


def _hand_over(obj, locked, path: str) -> None:
    """Give ``locked`` the related rows of ``obj`` along ``path`` where the row read under
    the lock still points at them; where it does not, the row is left to load lazily."""
    source, target = obj, locked
    for name in path.split(LOOKUP_SEP):
        field = _forward(type(target), name)
        pk = getattr(target, field.attname)
        if pk is None or getattr(source, field.attname) != pk:
            return
        if not field.is_cached(target):
            field.set_cached_value(target, field.get_cached_value(source))
            return  # the rest of the path comes with it
        # Read with the row for a longer path: go on along it.
        source, target = field.get_cached_value(source), field.get_cached_value(target)
