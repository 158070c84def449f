"""State changes of enterprises."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core.audit import log_event
from zhaoshang.core.roles import can_delete_registry, can_edit_registry
from zhaoshang.core.services import (
    gather,
    lock_for_update,
    raise_errors,
    require,
    rows_in_hand,
)
from zhaoshang.enterprises.creditcode import validate_credit_code
from zhaoshang.enterprises.models import Enterprise

EDITABLE_FIELDS = (
    "name",
    "credit_code",
    "legal_representative",
    "registered_capital",
    "origin",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "note",
)


def _clean_code(district_id: int, data: Mapping, exclude_pk=None) -> str:
    try:
        code = validate_credit_code(data.get("credit_code", ""))
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.messages})
    clash = Enterprise.objects.filter(district_id=district_id, credit_code=code)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    other = clash.first()
    if other:
        raise ValidationError(
            {
                "credit_code": _("This credit code is already registered for “%(name)s”.")
                % {"name": other.name}
            }
        )
    return code


@transaction.atomic
def create_enterprise(user, district, data: Mapping) -> Enterprise:
    """Register an investing enterprise in the district; its credit code is checked and
    must be new there."""
    require(can_edit_registry(user, district.pk))
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    errors: dict = {}  # the credit code's and the other fields' problems at once
    code = gather(errors, _clean_code, district.pk, data)
    values["credit_code"] = code if code is not None else (data.get("credit_code") or "")
    enterprise = Enterprise(district=district, **values)
    # The district is the row in hand, and its credit code was found new there just above
    # (or refused already: not checked twice).
    exclude = [*rows_in_hand(enterprise), *(["credit_code"] if errors else [])]
    gather(errors, enterprise.full_clean, exclude=exclude, validate_unique=False)
    raise_errors(errors)
    enterprise.save()
    log_event(user, "enterprise.created", enterprise, summary=enterprise.name)
    return enterprise


@transaction.atomic
def update_enterprise(
    user, enterprise: Enterprise, data: Mapping, expected_version: int
) -> Enterprise:
    """Save an enterprise's edited fields; a stale ``expected_version`` means someone else
    saved first."""
    require(can_edit_registry(user, enterprise.district_id))
    locked = lock_for_update(enterprise, expected_version)
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    errors: dict = {}  # the credit code's and the other fields' problems at once
    if "credit_code" in values:
        code = gather(errors, _clean_code, locked.district_id, data, exclude_pk=locked.pk)
        values["credit_code"] = code if code is not None else (values["credit_code"] or "")
    changed = [k for k, v in values.items() if getattr(locked, k) != v]
    for key, value in values.items():
        setattr(locked, key, value)
    gather(
        errors,
        locked.full_clean,
        exclude=["credit_code"] if errors else None,
        validate_unique=False,
    )
    raise_errors(errors)
    locked.save_new_version()
    log_event(user, "enterprise.updated", locked, summary=locked.name, fields=changed)
    return locked


@transaction.atomic
def delete_enterprise(user, enterprise: Enterprise) -> None:
    """Delete an enterprise (admins only); refused (ProtectedError) while it has projects
    or portal accounts."""
    require(can_delete_registry(user, enterprise.district_id))
    log_event(user, "enterprise.deleted", enterprise, summary=enterprise.name)
    enterprise.delete()
