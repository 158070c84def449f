"""Second-round service (二次招商服务): partners introduced, funds matched, enterprises
upgraded."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core.audit import log_event
from zhaoshang.core.services import gather, raise_errors, require
from zhaoshang.service import permissions
from zhaoshang.service.choices import SecondRoundKind
from zhaoshang.service.models import SecondRoundService
from zhaoshang.service.services._common import checked_text, past_date


@transaction.atomic
def record_second_round(
    user,
    *,
    kind: str,
    occurred_on: datetime.date,
    counterparty: str,
    description: str,
    project=None,
    enterprise=None,
    amount: Decimal | None = None,
    outcome: str = "",
) -> SecondRoundService:
    """Record a partner introduced, funds matched or an enterprise upgraded, for a project
    (its team or the bureau) or for an enterprise alone (the bureau)."""
    if project is None and enterprise is None:
        raise ValidationError(
            {"project": _("Choose the project or the enterprise the service was for.")}
        )
    if project is not None and enterprise is not None and project.enterprise_id != enterprise.pk:
        raise ValidationError(
            {"enterprise": _("The enterprise must be the project's own enterprise.")}
        )
    require(permissions.can_record_second_round(user, project=project, enterprise=enterprise))
    district_id = (project or enterprise).district_id
    errors: dict = {}  # every problem of the form at once
    if kind not in SecondRoundKind.values:
        errors["kind"] = [_("Choose the kind of second-round service.")]
    occurred_on = gather(
        errors,
        past_date,
        "occurred_on",
        occurred_on,
        _("Give the date of the service."),
        _("The date of the service cannot be in the future."),
    )
    counterparty = gather(
        errors,
        checked_text,
        "counterparty",
        counterparty,
        _("Name the counterparty: the partner, the financial institution or the enterprise."),
        limit=120,
    )
    if amount is not None and amount < 0:
        errors["amount"] = [_("The amount cannot be negative.")]
    elif kind == SecondRoundKind.FINANCING and not amount:
        errors["amount"] = [_("Give the amount of the funds matched (10k yuan).")]
    description = gather(
        errors, checked_text, "description", description, _("Describe the service.")
    )
    outcome = gather(errors, checked_text, "outcome", outcome, "", required=False)
    raise_errors(errors)
    record = SecondRoundService.objects.create(
        district_id=district_id,
        kind=kind,
        project=project,
        enterprise=enterprise or (project.enterprise if project is not None else None),
        occurred_on=occurred_on,
        counterparty=counterparty,
        amount=amount,
        description=description,
        outcome=outcome,
        recorded_by=user,
    )
    log_event(
        user,
        "second_round.recorded",
        record,
        summary=f"{record.get_kind_display()} · {counterparty}",
        kind=kind,
        project=getattr(project, "pk", None),
        amount=amount,
    )
    return record
