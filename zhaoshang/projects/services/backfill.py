"""补录: a project's stage history brought in from a district's own ledger (issue 20 point 1).

``import_history`` records, for a project just registered (in the stage “lead”), a stage
event for every stage it passed up to its stage in the ledger, each marked imported
(``StageEvent.is_imported``, with its ``import_batch``), and sets the project's stage and
date fields exactly as ``change_stage`` would (``STAGE_DATE_FIELDS``): exit rules, lights,
KPIs and the assessment read those fields, so they treat imported dates like recorded ones.

The dates. A stage from “signed” on needs its own date when it is the project's stage;
a stage passed on the way without a date in the ledger takes the date of the next stage
passed that has one (the latest it can have been reached), and its event says so. The
stages before signing have no date field: they take the signing date (the talks led up
to it), or, for a project still in talks, the day of the import. An ended project:
“terminated” (talks ended before signing: no signing date) or “exited” (cleared after
signing: the signing date is needed), each with its date and a reason.

The evidence. Each stage passed needs its materials (``STAGE_EVIDENCE``); those not on
file become ``EvidenceOwed`` rows, the secretary's to-do (补录待补材料), settled when a
version that counts as evidence lands (``services.documents.settle_owed``). They do not
block later stage changes; the import itself does until the bureau confirms its batch
(``stages._preconditions``).

A major project is signed through ``change_stage`` only once its own leading group is
formed: the import does not demand it (the signing happened; the history is a fact).
Nobody is notified of an import.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock, roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import raise_errors, require
from zhaoshang.projects.choices import (
    EXIT_STAGES,
    STAGE_DATE_FIELDS,
    STAGE_EVIDENCE,
    STAGE_INDEX,
    STAGE_ORDER,
    Stage,
)
from zhaoshang.projects.models import EvidenceOwed, MaterialType, Project, StageEvent
from zhaoshang.projects.services.stages import evidence_on_file

# The key of an error about the stage itself, and about the reason of an ended project
# (the importer's column keys).
STAGE_KEY = "stage"
REASON_KEY = "stage_reason"
SIGNED_INDEX = STAGE_INDEX[Stage.SIGNED]


def date_key(stage: str) -> str:
    """The key of a stage's date (its project field, and the importer's column)."""
    return STAGE_DATE_FIELDS.get(stage, STAGE_KEY)


def _label(stage: str) -> str:
    return str(Stage(stage).label)


def infer_stage(dates: Mapping[str, datetime.date | None]) -> str:
    """The stage a ledger row's dates show when it names none: an ending with its date,
    else the furthest stage of the line with a date, else the lead."""
    for stage in (Stage.EXITED, Stage.TERMINATED):
        if dates.get(stage):
            return stage
    dated = [s for s in STAGE_ORDER if dates.get(s)]
    return dated[-1] if dated else Stage.LEAD


def _path(stage: str, dates: Mapping) -> list[str]:
    """The stages passed from the lead to ``stage`` (the lead itself left out): the line up
    to it; for “terminated” the ending straight from the lead (where the talks stood is not
    in the ledger); for “exited” the line up to the furthest stage with a date (signed at
    least), then the exit."""
    if stage == Stage.TERMINATED:
        return [Stage.TERMINATED]
    if stage == Stage.EXITED:
        dated = [s for s in STAGE_ORDER if dates.get(s) and STAGE_INDEX[s] >= SIGNED_INDEX]
        last = dated[-1] if dated else Stage.SIGNED
        return [*STAGE_ORDER[1 : STAGE_INDEX[last] + 1], Stage.EXITED]
    return list(STAGE_ORDER[1 : STAGE_INDEX[stage] + 1])


def check_history(stage: str, dates: Mapping, reason: str = "") -> dict:
    """Every problem of a ledger row's history, keyed by the date's (or the stage's or the
    reason's) key, so that the importer names the column. Empty when it can be recorded."""
    errors: dict[str, list] = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    if stage not in Stage.values:
        add(STAGE_KEY, _("Unknown stage."))
        return errors
    today = clock.today()
    path = _path(stage, dates)
    passed = set(path)
    for name, day in dates.items():
        if not day or name not in Stage.values:
            continue
        if day > today:
            add(date_key(name), _("The date cannot be in the future."))
        if name not in passed:
            add(
                date_key(name),
                _(
                    "A project in the stage “%(stage)s” has not reached “%(other)s”: leave this date empty or correct the stage."
                )
                % {"stage": _label(stage), "other": _label(name)},
            )
    needs_own = stage in EXIT_STAGES or STAGE_INDEX.get(stage, 0) >= SIGNED_INDEX
    if needs_own and not dates.get(stage):
        add(
            date_key(stage),
            _("A project in the stage “%(stage)s” needs the date it reached it.")
            % {"stage": _label(stage)},
        )
    if stage == Stage.EXITED and not dates.get(Stage.SIGNED):
        add(
            date_key(Stage.SIGNED),
            _("An exited project was signed: give its signing date."),
        )
    if stage in EXIT_STAGES and not (reason or "").strip():
        add(
            REASON_KEY,
            _("Give the reason the talks ended.")
            if stage == Stage.TERMINATED
            else _("Give the reason for the clearance."),
        )
    previous: tuple[str, datetime.date] | None = None
    for name in path:
        day = dates.get(name)
        if not day:
            continue
        if previous and day < previous[1]:
            add(
                date_key(name),
                _(
                    "The date of “%(stage)s” (%(date)s) is before that of “%(before)s” (%(before_date)s): the stages go in order."
                )
                % {
                    "stage": _label(name),
                    "date": day.isoformat(),
                    "before": _label(previous[0]),
                    "before_date": previous[1].isoformat(),
                },
            )
        previous = (name, day)
    return errors


def _event_dates(path: list[str], dates: Mapping) -> list[tuple[str, datetime.date, bool]]:
    """(stage, date, whether the ledger gave it) for each stage passed (see the module's
    docstring for the dates the ledger does not give)."""
    out = []
    for i, stage in enumerate(path):
        day = dates.get(stage)
        if day:
            out.append((stage, day, True))
            continue
        later = next((dates[s] for s in path[i + 1 :] if dates.get(s)), None)
        out.append((stage, later or clock.today(), False))
    return out


@transaction.atomic
def import_history(
    user,
    project: Project,
    stage: str,
    dates: Mapping[str, datetime.date | None],
    *,
    batch=None,
    source: str = "",
    reason: str = "",
) -> list[StageEvent]:
    """Record the stage history of a project just registered from a ledger row (补录):
    ``dates`` maps a stage to the date it was reached. Returns the events recorded (none
    for a project that is still a lead). Raises ValidationError keyed by the date's key
    (``signed_on`` …), ``stage`` or ``stage_reason``."""
    require(roles.can_edit_registry(user, project.district_id))
    dates = {k: v for k, v in dates.items() if v}
    reason = (reason or "").strip()
    if project.stage != Stage.LEAD or StageEvent.objects.filter(project=project).exists():
        raise ValidationError(
            {STAGE_KEY: _("Only a project just registered can take its stage history from a file.")}
        )
    raise_errors(check_history(stage, dates, reason))
    if stage == Stage.LEAD:
        return []
    path = _path(stage, dates)
    steps = _event_dates(path, dates)
    guessed = _("Date not in the file: recorded at the next known stage date.")
    events = []
    from_stage = Stage.LEAD
    for to_stage, day, given in steps:
        events.append(
            StageEvent(
                project=project,
                from_stage=from_stage,
                to_stage=to_stage,
                occurred_on=day,
                reason=reason if to_stage in EXIT_STAGES else ("" if given else guessed),
                recorded_by=user,
                is_imported=True,
                import_batch=batch,
            )
        )
        if to_stage in STAGE_DATE_FIELDS:
            setattr(project, STAGE_DATE_FIELDS[to_stage], day)
        from_stage = to_stage
    project.stage = stage
    project.save_new_version()
    events = StageEvent.objects.bulk_create(events)
    owed = _owe_evidence(project, events)
    log_event(
        user,
        "project.stage_imported",
        project,
        summary=_("%(stage)s, imported from %(source)s")
        % {"stage": _label(stage), "source": source or _("a file")},
        stage=stage,
        dates={s: d.isoformat() for s, d, _given in steps},
        batch=batch.pk if batch is not None else None,
        source=source,
        reason=reason,
        owed=owed,
    )
    return events


def _owe_evidence(project: Project, events: list[StageEvent]) -> list[str]:
    """One ``EvidenceOwed`` per material a passed stage needs and the project has not on
    file; returns their codes."""
    wanted = {e.pk: STAGE_EVIDENCE.get(e.to_stage, ()) for e in events}
    codes = {code for needed in wanted.values() for code in needed}
    if not codes:
        return []
    on_file = evidence_on_file(project, codes)
    types = {m.code: m for m in MaterialType.objects.filter(code__in=codes)}
    rows = [
        EvidenceOwed(project=project, stage_event=event, material_type=types[code])
        for event in events
        for code in wanted[event.pk]
        if code in types and code not in on_file
    ]
    EvidenceOwed.objects.bulk_create(rows)
    return [r.material_type.code for r in rows]


__all__ = ["check_history", "import_history", "infer_stage"]
