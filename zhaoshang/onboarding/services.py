"""Bringing a district's own ledger in (补录导入): the batch, its mapping, the check and the run.

A batch (``core.ImportBatch``) holds the uploaded file and, in ``mapping["sheets"]``, how each
sheet maps to our records: its kind (or "" to skip it), its header row, a column key (or None)
per source column, the unit of its amount columns and the values mapped to our choices. The
wizard's pages write it; ``check`` (a dry run) and ``run`` (the import) read it, building the
rows with ``core.imports.mapping.build_rows`` and running every sheet through
``core.imports.importer.run_all`` in one transaction: all or nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock, roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.imports import FileRefused, cell_text
from zhaoshang.core.models import ImportBatch, ImportStatus
from zhaoshang.core.services import require
from zhaoshang.onboarding import registry

logger = logging.getLogger(__name__)

# Files with more data rows than this are checked and imported in the background.
BACKGROUND_ROWS = 500
SAMPLE_VALUES = 3
MAX_DISTINCT_VALUES = 200
RUNNING = (ImportStatus.QUEUED, ImportStatus.RUNNING)
EDITABLE = (ImportStatus.DRAFT, ImportStatus.CHECKED, ImportStatus.FAILED)


def can_onboard(user) -> bool:
    """Registry editors (the bureau, admins) of their own district."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.district_id
        and roles.can_edit_registry(user, user.district_id)
    )


# --- reading the file -------------------------------------------------------------------------


def grids(batch: ImportBatch) -> list:
    """The sheets of the batch's file (read once per batch object)."""
    cached = getattr(batch, "_grids", None)
    if cached is None:
        from zhaoshang.core.imports.sources import read_grids

        with batch.file.open("rb") as handle:
            cached = read_grids(handle)
        batch._grids = cached
    return cached


def sheets(batch: ImportBatch) -> list[dict]:
    return list((batch.mapping or {}).get("sheets") or [])


def grid_of(batch: ImportBatch, index: int):
    found = grids(batch)
    return found[index] if index < len(found) else None


def header_names(grid, header_row: int) -> list[str]:
    from zhaoshang.core.imports import sources

    return list(sources.header_names(grid, header_row))


def data_rows(grid, header_row: int) -> list[tuple[int, list]]:
    from zhaoshang.core.imports import sources

    return list(sources.data_rows(grid, header_row))


def suggest_kind(grid) -> tuple[str, int]:
    """The kind of a sheet: from its name, else the kind whose columns match most of its
    headers (at least two); with the header row suggested for that kind."""
    from zhaoshang.core.imports.mapping import suggest_columns
    from zhaoshang.core.imports.sources import guess_header_row

    kind = registry.kind_by_sheet_name(grid.name)
    if kind:
        return kind, guess_header_row(grid, registry.importer_class(kind))
    best = ("", 0, 0)
    for candidate, cls in registry.available():
        row = guess_header_row(grid, cls)
        matched = sum(1 for key in suggest_columns(cls, header_names(grid, row)) if key)
        if matched >= 2 and matched > best[2]:
            best = (candidate, row, matched)
    if best[0]:
        return best[0], best[1]
    first = registry.available()
    return "", guess_header_row(grid, first[0][1]) if first else 0


def suggested_sheet(batch: ImportBatch, grid, kind: str, header_row: int, user=None) -> dict:
    """A sheet's mapping as suggested: its columns (the district's saved mapping first),
    their units and their values."""
    from zhaoshang.core.imports.mapping import (
        saved_mapping,
        sheet_unit,
        suggest_columns,
        suggest_unit,
    )

    sheet = {"name": grid.name, "kind": kind, "header_row": header_row, "columns": []}
    sheet["units"], sheet["values"] = {}, {}
    cls = registry.importer_class(kind) if kind else None
    if cls is None:
        sheet["kind"] = ""
        return sheet
    headers = header_names(grid, header_row)
    saved = saved_mapping(batch.district, kind)
    columns = suggest_columns(cls, headers, saved=saved)
    sheet["columns"] = list(columns)
    by_key = {c.key: c for c in cls.columns}
    saved_units = dict(getattr(saved, "units", None) or {})
    whole_sheet = sheet_unit(grid, header_row)
    for header, key in zip(headers, columns, strict=False):
        if key and is_amount(by_key.get(key)):
            unit = suggest_unit(header) or saved_units.get(key) or whole_sheet
            sheet["units"][key] = unit or "10k"
    sheet["values"] = suggested_values(batch, sheet, grid, cls, user or batch.created_by, saved)
    return sheet


def suggested_values(batch, sheet: dict, grid, cls, user, saved=None) -> dict:
    """Their values of each mapped choice or reference column → ours, where one is alike
    (the district's saved values first); a value without a guess is left as written."""
    from zhaoshang.core.imports.mapping import choice_columns, suggest_values

    importer = cls(user, batch.district)
    keys = list(sheet.get("columns") or [])
    rows = data_rows(grid, int(sheet.get("header_row") or 0))
    saved_values = dict(getattr(saved, "values", None) or {})
    found = {}
    for column in choice_columns(importer):
        if column.key not in keys:
            continue
        values = distinct_values(rows, keys.index(column.key))
        if values:
            known = saved_values.get(column.key) or {}
            suggested = suggest_values(importer, column, values, saved=known) or {}
            found[column.key] = {k: v for k, v in suggested.items() if v}
    return found


def is_amount(column) -> bool:
    """Whether the column holds amounts whose unit the mapping chooses (``Money`` and the
    parsers that read it, e.g. an obligation's target figure, an investment schedule)."""
    return column is not None and column.parse.takes_unit


def allowed_kinds(user, district) -> set[str]:
    """The kinds the user may import into the district (a kind's importer decides: approval
    cases, say, only the district's administrators)."""
    return {kind for kind, cls in registry.available() if cls(user, district).allowed()}


def suggested_mapping(batch: ImportBatch, only_kind: str | None = None, user=None) -> dict:
    """Each sheet's suggested kind, header row and columns. A kind the user may not import
    is suggested as skipped, and the sheet says so (``refused``)."""
    allowed = allowed_kinds(user or batch.created_by, batch.district)
    result = []
    for grid in grids(batch):
        if only_kind:
            from zhaoshang.core.imports.sources import guess_header_row

            kind, row = only_kind, guess_header_row(grid, registry.importer_class(only_kind))
        else:
            kind, row = suggest_kind(grid)
        refused = kind if kind and kind not in allowed else ""
        sheet = suggested_sheet(batch, grid, "" if refused else kind, row, user)
        if refused:
            sheet["refused"] = refused
        result.append(sheet)
    if only_kind:  # one kind: its first sheet with rows, the others skipped
        for sheet in result[1:]:
            sheet["kind"] = ""
    return {"sheets": result, "checked": False}


def create_batch(user, uploaded, kind: str) -> ImportBatch:
    """Store an upload as a new batch with the suggested mapping; FileRefused when the file
    cannot be read (nothing is kept then)."""
    require(can_onboard(user))
    from zhaoshang.core.imports.sources import read_grids

    found = read_grids(uploaded)  # FileRefused with the reason
    if not found:
        raise FileRefused(_("The file holds no sheet with data."))
    uploaded.seek(0)
    name = str(getattr(uploaded, "name", "") or "ledger")[-200:]
    batch = ImportBatch(
        district=user.district,
        kind=kind or registry.WORKBOOK,
        file_name=name,
        created_by=user,
    )
    batch.file.save(name, uploaded, save=False)
    batch._grids = found
    only = kind if kind and kind != registry.WORKBOOK else None
    batch.mapping = suggested_mapping(batch, only, user)
    batch.save()
    return batch


# --- saving the mapping -----------------------------------------------------------------------


def save_sheets(batch: ImportBatch, sheets_: list[dict]) -> None:
    """Store the mapping the wizard edited; it must be checked again."""
    mapping = dict(batch.mapping or {})
    mapping["sheets"] = sheets_
    mapping["checked"] = False
    batch.mapping = mapping
    batch.problems, batch.problem_count = [], 0
    if batch.status == ImportStatus.CHECKED:
        batch.status = ImportStatus.DRAFT
    batch.rows = count_rows(batch)
    batch.save(update_fields=["mapping", "problems", "problem_count", "status", "rows"])


def count_rows(batch: ImportBatch) -> int:
    total = 0
    for index, sheet in enumerate(sheets(batch)):
        grid = grid_of(batch, index)
        if sheet.get("kind") and grid is not None:
            total += len(data_rows(grid, int(sheet.get("header_row") or 0)))
    return total


def remember_mapping(batch: ImportBatch, user) -> None:
    """Save each mapped sheet's columns, units and values for the district's next upload."""
    from zhaoshang.core.imports.mapping import save_mapping

    for index, sheet in enumerate(sheets(batch)):
        grid = grid_of(batch, index)
        if not sheet.get("kind") or grid is None:
            continue
        headers = header_names(grid, int(sheet.get("header_row") or 0))
        save_mapping(
            batch.district,
            sheet["kind"],
            user,
            headers,
            sheet.get("columns") or [],
            sheet.get("units") or {},
            sheet.get("values") or {},
        )


# --- the check and the run -------------------------------------------------------------------


def parts(batch: ImportBatch, user) -> list[tuple[Any, list]]:
    """(importer, rows) of every mapped sheet, in the order of the kinds."""
    from zhaoshang.core.imports.mapping import build_rows

    found = []
    for index, sheet in enumerate(sheets(batch)):
        kind = sheet.get("kind")
        cls = registry.importer_class(kind) if kind else None
        grid = grid_of(batch, index)
        if cls is None or grid is None:
            continue
        importer = cls(user, batch.district)
        if not importer.allowed():
            raise ValidationError(
                _(
                    "You may not import “%(kind)s” (sheet “%(sheet)s”): skip the sheet, or ask the district's administrator to import it."
                )
                % {"kind": cls.sheet_title, "sheet": sheet.get("name") or grid.name}
            )
        importer.batch = batch
        importer.sheet = sheet.get("name") or grid.name
        importer.units = dict(sheet.get("units") or {})
        rows = build_rows(
            grid,
            int(sheet.get("header_row") or 0),
            sheet.get("columns") or [],
            sheet.get("values") or {},
        )
        found.append((registry.order_of(kind), index, importer, rows))
    found.sort(key=lambda x: (x[0], x[1]))
    return [(importer, rows) for _order, _index, importer, rows in found]


def _progress(batch: ImportBatch, phase: str) -> Callable[[int, int], None]:
    from zhaoshang.core.imports.progress import set_progress

    def report(done: int, total: int) -> None:
        set_progress(batch.pk, done, total, phase=phase)

    return report


def _problem_rows(result) -> list[list]:
    return [[getattr(p, "sheet", ""), p.row, p.column, p.value, p.message] for p in result.problems]


def _rows_by_sheet(found) -> dict[str, dict]:
    counts: dict[str, dict] = {}
    for importer, rows in found:
        entry = counts.setdefault(importer.sheet, {"kind": importer.kind, "rows": 0})
        entry["rows"] += len(rows)
    return counts


def _update(batch: ImportBatch, **fields) -> None:
    for name, value in fields.items():
        setattr(batch, name, value)
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


def check(batch: ImportBatch, user=None) -> ImportBatch:
    """The dry run: every problem of every sheet, nothing saved. The batch is CHECKED when
    there is none (it may be imported), else back to DRAFT with its problems."""
    from zhaoshang.core.imports.importer import run_all

    user = user or batch.created_by
    _update(batch, status=ImportStatus.RUNNING, started_at=clock.now())
    try:
        found = parts(batch, user)
        if not found:
            raise ValidationError(_("No sheet is mapped to a kind of record."))
        result = run_all(found, dry_run=True, batch=batch, progress=_progress(batch, "check"))
    except (ValidationError, FileRefused) as exc:
        messages = getattr(exc, "messages", [str(exc)])
        return _checked(batch, [["", None, "", "", str(m)] for m in messages], len(messages), {})
    except Exception:
        logger.exception("import batch %s: the check failed", batch.pk)
        _checked(batch, [["", None, "", "", _("The check failed; try again.")]], 1, {})
        raise
    return _checked(batch, _problem_rows(result), result.problem_count, _rows_by_sheet(found))


def _checked(batch, problems, count, by_sheet) -> ImportBatch:
    mapping = dict(batch.mapping or {})
    mapping["checked"] = True
    summary = dict(batch.summary or {})
    summary["sheets"] = by_sheet
    summary.pop("task", None)
    _update(
        batch,
        status=ImportStatus.DRAFT if count else ImportStatus.CHECKED,
        problems=problems,
        problem_count=count,
        mapping=mapping,
        summary=summary,
        rows=sum(s["rows"] for s in by_sheet.values()) if by_sheet else batch.rows,
    )
    return batch


def run(batch: ImportBatch, user=None) -> ImportBatch:
    """Import the checked batch: every sheet in one transaction. IMPORTED with what it
    created, or FAILED with the problems and nothing written."""
    from zhaoshang.core.imports.importer import run_all

    user = user or batch.created_by
    if batch.status not in (ImportStatus.CHECKED, *RUNNING):
        raise ValidationError({"status": _("Only a checked file without problems is imported.")})
    # Claimed in the database, not on the object: a second request (a double click) or a
    # task run twice holding the batch as it was loaded must not import it again.
    now = clock.now()
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status__in=(ImportStatus.CHECKED, *RUNNING)
    ).update(status=ImportStatus.RUNNING, started_at=now)
    if not claimed:
        batch.refresh_from_db()
        return batch
    batch.status, batch.started_at = ImportStatus.RUNNING, now
    summary = dict(batch.summary or {})
    summary.pop("task", None)
    try:
        # One transaction around the run and the batch's records: a failure anywhere (the
        # records' snapshot included) leaves nothing written.
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().only("status").get(pk=batch.pk)
            if locked.status != ImportStatus.RUNNING:  # another run imported it meanwhile
                batch.refresh_from_db()
                return batch
            found = parts(batch, user)
            summary["sheets"] = _rows_by_sheet(found)
            result = run_all(found, dry_run=False, batch=batch, progress=_progress(batch, "import"))
            if result.ok:
                _finish(batch, summary)
    except Exception as exc:
        logger.exception("import batch %s: the import failed", batch.pk)
        if _imported_meanwhile(batch):
            return batch
        _update(
            batch,
            status=ImportStatus.FAILED,
            problems=[["", None, "", "", _("The import failed: %(error)s") % {"error": exc}]],
            problem_count=1,
            finished_at=clock.now(),
        )
        return batch
    if not result.ok:
        if _imported_meanwhile(batch):
            return batch
        _update(
            batch,
            status=ImportStatus.FAILED,
            problems=_problem_rows(result),
            problem_count=result.problem_count,
            summary=summary,
            finished_at=clock.now(),
        )
    return batch


def _imported_meanwhile(batch: ImportBatch) -> bool:
    """Whether another run imported the batch while this one ran (its failure, a clash
    with the records the other made, must not mark the imported batch failed)."""
    if ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.IMPORTED).exists():
        batch.refresh_from_db()
        return True
    return False


def _finish(batch: ImportBatch, summary: dict) -> None:
    """Write the batch's records (``batches.finish``, unless the engine did) and what each
    sheet created."""
    from zhaoshang.core.imports import batches

    if batch.status != ImportStatus.IMPORTED:
        batches.finish(batch, summary)
    counts: dict[str, int] = {}  # the rows of each sheet that created records
    rows = batch.records.filter(row__isnull=False).order_by().values_list("sheet", "row").distinct()
    for sheet, _row in rows:
        counts[sheet] = counts.get(sheet, 0) + 1
    summary = dict(batch.summary or {}, **summary, created=counts)
    _update(
        batch,
        status=ImportStatus.IMPORTED,
        created_count=batch.records.filter(row__isnull=False).count(),
        problems=[],
        problem_count=0,
        summary=summary,
        finished_at=batch.finished_at or clock.now(),
    )


# --- in the request or in the background -----------------------------------------------------


def in_background(batch: ImportBatch) -> bool:
    return batch.rows > BACKGROUND_ROWS


def start(batch: ImportBatch, user, action: str) -> ImportBatch:
    """Check ("check") or import ("import") now, or queue it when the file is large."""
    require(can_onboard(user) and batch.district_id == user.district_id)
    if batch.status not in (*EDITABLE, *RUNNING):  # imported or undone: never run again
        raise ValidationError(
            {"status": _("This file was imported already; upload it again to import it anew.")}
        )
    if action == "import" and batch.status != ImportStatus.CHECKED:
        raise ValidationError({"status": _("Only a checked file without problems is imported.")})
    if batch.status in RUNNING:
        return batch
    from zhaoshang.core.imports.progress import clear_progress

    clear_progress(batch.pk)  # the last run's count is not this one's
    if not in_background(batch):
        return check(batch, user) if action == "check" else run(batch, user)
    summary = dict(batch.summary or {}, task=action)
    _update(batch, status=ImportStatus.QUEUED, summary=summary, progress_done=0, progress_total=0)
    transaction.on_commit(lambda: _enqueue(batch.pk, user.pk, action))
    return batch


def _enqueue(batch_id: int, user_id: int, action: str) -> None:
    from zhaoshang.onboarding.tasks import run_batch

    try:
        result = run_batch.enqueue(batch_id, user_id, action)
    except Exception:  # the broker being down must not break the request; the batch says so
        logger.warning("could not enqueue import batch %s", batch_id, exc_info=True)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportStatus.FAILED if action == "import" else ImportStatus.DRAFT,
            problems=[["", None, "", "", _("The task could not be queued; try again.")]],
            problem_count=1,
        )
        return
    task_id = str(getattr(result, "id", "") or "")[:64]
    if task_id:
        ImportBatch.objects.filter(pk=batch_id).update(task_id=task_id)


def run_task(batch_id: int, user_id: int, action: str) -> str:
    """The background task's body: safe to run twice (a finished batch is left alone)."""
    from django.contrib.auth import get_user_model

    batch = ImportBatch.objects.select_related("district", "created_by").get(pk=batch_id)
    if batch.status not in RUNNING:
        return batch.status
    user = get_user_model().objects.get(pk=user_id)
    if action == "check":
        check(batch, user)
    else:
        run(batch, user)
    return batch.status


# --- the district's go-live date --------------------------------------------------------------


def set_go_live(user, district, day) -> None:
    """The day the district began to work on the platform (read by the assessment)."""
    require(can_onboard(user) and district.pk == user.district_id)
    with transaction.atomic():
        district.go_live_on = day
        district.save(update_fields=["go_live_on"])
        log_event(user, "district.go_live_set", district, summary=str(day), day=str(day))


def sample_values(rows: list[tuple[int, list]], index: int) -> list[str]:
    found = []
    for _number, values in rows:
        if index < len(values) and values[index] not in (None, ""):
            found.append(cell_text(values[index]))
            if len(found) >= SAMPLE_VALUES:
                break
    return found


def distinct_values(rows: list[tuple[int, list]], index: int) -> list[str]:
    found: dict[str, None] = {}
    for _number, values in rows:
        if index < len(values) and values[index] not in (None, ""):
            found.setdefault(cell_text(values[index]).strip(), None)
            if len(found) >= MAX_DISTINCT_VALUES:
                break
    return list(found)


def upload_limit() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
