"""The importer: checks, parses and creates every row of a file, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhaoshang.core.audit import log_event
from zhaoshang.core.imports.parsers import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    MAX_SOURCE_ROWS,
    Column,
    FileRefused,
    Lookup,
    Ref,
    _message,
    cell_text,
    normalize_key,
)
from zhaoshang.core.imports.workbook import _clean_cell, open_workbook


@dataclass(frozen=True)
class Problem:
    """Why a row (or the file, when ``row`` is None) cannot be imported."""

    row: int | None
    column: str
    message: str
    value: str = ""
    sheet: str = ""  # the sheet of a workbook of several (ImportBatch.problems)

    def as_list(self) -> list:
        return [self.row, self.column, self.value, self.message]

    def as_record(self) -> list:
        """As ``ImportBatch.problems`` keeps it: [sheet, row, column, value, message]."""
        return [self.sheet, self.row, self.column, self.value, self.message]

    @classmethod
    def from_list(cls, data: Sequence) -> Problem:
        """From ``as_list`` (four items) or ``as_record`` (five, the sheet first)."""
        sheet = ""
        if len(data) == 5:
            sheet, *data = data
        row, column, value, message = data
        return cls(row=row, column=column, message=message, value=value, sheet=sheet or "")


@dataclass
class Row:
    number: int  # as Excel numbers it
    raw: dict[str, Any]  # column key → cell value (None when empty)
    values: dict[str, Any] = field(default_factory=dict)
    ok: bool = True


@dataclass
class ImportResult:
    file_name: str
    dry_run: bool = False
    rows: int = 0
    created: list = field(default_factory=list)  # each row's (first) record
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # importer kind → rows created

    @property
    def ok(self) -> bool:
        return not self.problem_count

    @property
    def file_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.row is None]

    @property
    def row_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.row is not None]

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})


# --- the importer ---------------------------------------------------------------------------


class Importer:
    """Base of the importers: subclasses set the class attributes and implement ``create``."""

    kind = ""  # "enterprises", "projects": names the files and the session keys
    model: Any = None
    sheet_title: Any = ""
    columns: Sequence[Column] = ()
    event_verb = ""  # the domain event summarising a successful import
    notes: Sequence[Any] = ()  # extra lines for the instructions sheet
    max_rows = MAX_ROWS  # rows of a template upload (``run``)
    max_source_rows = MAX_SOURCE_ROWS  # rows of a district's own sheet (``run_rows``)
    # A service's error on a field that is not a column (e.g. the model's "enterprise"
    # when the file names it by credit code) goes to this column.
    field_columns: dict[str, str] = {}

    def __init__(self, user, district, *, batch=None, sheet: str = "", units=None):
        self.user, self.district = user, district
        self.batch = batch  # the ImportBatch of an onboarding import, None for a template
        self.sheet = str(sheet)  # the sheet's name in the source workbook
        self.units: dict[str, str] = dict(units or {})  # amount column key → "yuan" | …
        self._file_name = ""
        self.current_row: Row | None = None  # the row being created
        self._lookups: dict[int, Lookup] = {}
        self._by_key = {c.key: c for c in self.columns}

    @property
    def file_name(self) -> str:
        """The uploaded file's name: the batch's, or the template file's (``run``)."""
        return self._file_name or (self.batch.file_name if self.batch is not None else "")

    @file_name.setter
    def file_name(self, value: str) -> None:
        self._file_name = value

    # hooks -----------------------------------------------------------------------------------

    def allowed(self) -> bool:
        """Whether the user may import into the district."""
        raise NotImplementedError

    def prepare(self, rows: list[Row]) -> None:
        """Load what the parsers look up: one query per kind of reference."""
        for column in self.columns:
            if isinstance(column.parse, Ref) and any(r.raw.get(column.key) for r in rows):
                self._lookups[id(column.parse)] = column.parse.build(self)

    def clean_row(self, row: Row) -> None:
        """Rules across the columns of one row; raise ValidationError({column key: …})."""

    def check_rows(self, rows: list[Row]) -> Iterable[Problem]:
        """Rules across rows and against the database (duplicates); only parsed rows."""
        return ()

    def create(self, values: dict[str, Any]):
        """Create one record through the app's service (which must be atomic)."""
        raise NotImplementedError

    def summary(self, created: list) -> dict[str, Any]:
        """What the summarising domain event keeps besides the count and the file name."""
        return {"ids": [obj.pk for obj in created]}

    def created_objects(self, ids: Sequence[int]):
        """The records an import created, as the user may see them (for the result page)."""
        return self.model.objects.visible_to(self.user).filter(pk__in=ids).order_by("pk")

    def reference_lists(self) -> Iterable[tuple[Any, list[str]]]:
        """Extra (title, values) columns for the template's allowed-values sheet."""
        return ()

    # helpers ---------------------------------------------------------------------------------

    def lookup_for(self, parser: Ref) -> Lookup:
        if id(parser) not in self._lookups:
            self._lookups[id(parser)] = parser.build(self)
        return self._lookups[id(parser)]

    def column(self, key: str) -> Column | None:
        return self._by_key.get(key)

    def problem(self, row: Row, key: str | None, message: str) -> Problem:
        column = self.column(key) if key else None
        return Problem(
            row=row.number,
            column=str(column.label) if column else "",
            message=str(message),
            value=cell_text(row.raw.get(key)) if column else "",
            sheet=self.sheet,
        )

    def source(self, row: Row | int) -> str:
        """Where a row came from, for history texts: “台账.xlsx · 项目 · 第 7 行”."""
        number = row.number if isinstance(row, Row) else row
        parts = (self.file_name, self.sheet, _("row %(number)d") % {"number": number})
        return " · ".join(p for p in parts if p)

    def service_problems(self, row: Row, exc: ValidationError) -> list[Problem]:
        """A service's (or clean_row's) ValidationError, each message on its column."""
        if not hasattr(exc, "error_dict"):
            return [self.problem(row, None, m) for m in _message(exc)]
        problems = []
        for name, errors in exc.error_dict.items():
            key = self.field_columns.get(name, name)
            for error in errors:
                for message in error.messages:
                    problems.append(self.problem(row, key if self.column(key) else None, message))
        return problems

    # the run ---------------------------------------------------------------------------------

    def run(self, uploaded, *, dry_run: bool = False) -> ImportResult:
        """Check and import ``uploaded`` (a template file: an UploadedFile or a django
        File); all or nothing."""
        if not self.allowed():
            raise PermissionDenied
        self.file_name = getattr(uploaded, "name", "") or ""
        try:
            rows, ignored = self.read(uploaded)
        except FileRefused as exc:
            result = ImportResult(file_name=self.file_name, dry_run=dry_run)
            result.problems = [Problem(row=None, column="", message=m) for m in exc.messages]
            result.problem_count = len(result.problems)
            return result
        result = self.run_rows(rows, dry_run=dry_run)
        result.ignored_columns = ignored
        return result

    def run_rows(self, rows: list[Row], *, dry_run: bool = False, progress=None) -> ImportResult:
        """Check and import rows already read (a district's own sheet, mapped)."""
        return run_all([(self, rows)], dry_run=dry_run, batch=self.batch, progress=progress)

    def parse_row(self, row: Row) -> list[Problem]:
        problems: list[Problem] = []
        for column in self.columns:
            value = row.raw.get(column.key)
            if value is None:
                if column.required:
                    problems.append(self.problem(row, column.key, _("This column is required.")))
                continue
            try:
                row.values[column.key] = column.parse.parse_cell(value, self, column)
            except ValidationError as exc:
                problems.extend(self.problem(row, column.key, m) for m in _message(exc))
        if not problems:
            try:
                self.clean_row(row)
            except ValidationError as exc:
                problems.extend(self.service_problems(row, exc))
        row.ok = not problems
        return problems

    def create_row(self, row: Row) -> tuple[list, list[Problem]]:
        """Run ``create`` for a parsed row: its records, or its problems. (The services are
        atomic: one that refuses has rolled back to its own savepoint, so the others go on;
        no savepoint of ours, which would cost two queries a row.)"""
        self.current_row = row  # ``create`` may name it: ``self.source(self.current_row)``
        try:
            made = self.create(dict(row.values))
        except ValidationError as exc:
            return [], self.service_problems(row, exc)
        except IntegrityError:
            # A record saved meanwhile by somebody else (or twice in the file).
            clash = _("This row clashes with a record saved meanwhile; import the file again.")
            return [], [self.problem(row, None, clash)]
        if made is None:
            return [], []
        return [o for o in (made if isinstance(made, list | tuple) else [made]) if o], []

    # reading ---------------------------------------------------------------------------------

    def read(self, uploaded) -> tuple[list[Row], list[str]]:
        """The data rows of the first sheet, and the headers that name no column."""
        workbook = open_workbook(uploaded)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some writers record a wrong size
            return self._rows(sheet)
        except FileRefused:
            raise
        except Exception:  # noqa: BLE001 - openpyxl fails in many ways on a broken file
            raise FileRefused(_("The file could not be read as an Excel workbook (.xlsx)."))
        finally:
            workbook.close()

    def _rows(self, sheet) -> tuple[list[Row], list[str]]:
        names = {}
        for column in self.columns:
            for name in column.header_names():
                names[name] = column.key
        header: dict[int, str] | None = None
        ignored: list[str] = []
        rows: list[Row] = []
        cells = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        for number, values in enumerate(cells, start=1):
            if number > MAX_SCANNED_ROWS:
                raise FileRefused(
                    _("The sheet is too long: only %(max)d rows are read.")
                    % {"max": MAX_SCANNED_ROWS}
                )
            values = [_clean_cell(v) for v in values]
            if header is None:
                header, ignored = self._header(values, names)
                if header is None and number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if all(v is None for v in values):
                continue
            rows.append(
                Row(
                    number=number,
                    raw={key: values[i] for i, key in header.items() if i < len(values)},
                )
            )
            if len(rows) > self.max_rows:
                raise FileRefused(
                    _(
                        "The file has more than %(max)d rows; import at most %(max)d rows at a time (split the file)."
                    )
                    % {"max": self.max_rows}
                )
        if header is None:
            raise FileRefused(
                _("No header row found: the first row must hold the column names of the template.")
            )
        missing = [
            str(c.label) for c in self.columns if c.required and c.key not in header.values()
        ]
        if missing:
            raise FileRefused(
                *[
                    _("The column “%(column)s” is missing; start from the template.")
                    % {"column": m}
                    for m in missing
                ]
            )
        if not rows:
            raise FileRefused(_("The file holds no rows below the header."))
        return rows, ignored

    def _header(self, values: list, names: dict[str, str]) -> tuple[dict[int, str] | None, list]:
        header: dict[int, str] = {}
        ignored: list[str] = []
        seen: dict[str, str] = {}
        for i, value in enumerate(values):
            if value is None:
                continue
            text = cell_text(value).strip().rstrip("*＊").strip()
            key = names.get(normalize_key(text))
            if key is None:
                ignored.append(text)
            elif key in seen:
                raise FileRefused(
                    _("The column “%(column)s” appears twice.")
                    % {"column": str(self._by_key[key].label)}
                )
            else:
                seen[key] = text
                header[i] = key
        if not header:
            return None, []
        return header, ignored


# --- several importers in one transaction -------------------------------------------------


def run_all(
    parts: Sequence[tuple[Importer, list[Row]]],
    *,
    dry_run: bool = False,
    batch=None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import every part (an importer and its rows: one sheet) in order, in ONE transaction.

    A part's ``prepare`` runs after the earlier parts created their records, so a later
    sheet finds the projects an earlier one created. The problems of every part are
    combined (each names its sheet); nothing is kept unless every row of every part passed
    and this is no dry run. On success each row's records are listed in ``batch``
    (``core.imports.batches.record``) and one domain event per part summarises it.
    ``progress(done, total)`` is called as the rows are created."""
    for importer, _rows in parts:
        if not importer.allowed():
            raise PermissionDenied
    file_name = batch.file_name if batch is not None else ""
    file_name = file_name or next((imp.file_name for imp, _r in parts if imp.file_name), "")
    result = ImportResult(file_name=file_name, dry_run=dry_run)
    result.rows = sum(len(rows) for _imp, rows in parts)
    order = {}

    def add(problems: Iterable[Problem], sheet: str = "") -> None:
        for p in problems:
            result.problem_count += 1
            if len(result.problems) < MAX_PROBLEMS:
                # (a problem an importer made itself names the sheet of its part)
                result.problems.append(replace(p, sheet=sheet) if sheet and not p.sheet else p)

    total, done = result.rows, 0
    step = max(1, -(-total // 100))  # about a hundred reports in all
    made: list[tuple[Importer, Row, list]] = []
    with transaction.atomic():
        for index, (importer, rows) in enumerate(parts):
            order.setdefault(importer.sheet, index)
            if len(rows) > importer.max_source_rows:
                add([_too_many(importer)])
                done += len(rows)
                continue
            importer.prepare(rows)
            for row in rows:
                add(importer.parse_row(row))
            checked = list(importer.check_rows([r for r in rows if r.ok]))
            add(checked, importer.sheet)
            refused = {p.row for p in checked}
            for row in rows:  # a row refused by the checks across rows is not created
                if row.number in refused:
                    row.ok = False
            # The services run for every good row even when other rows failed, so that
            # one run reports every problem; the transaction is rolled back unless all passed.
            for row in rows:
                if row.ok:
                    objects, problems = importer.create_row(row)
                    if problems:
                        row.ok = False
                        add(problems, importer.sheet)
                    elif objects:
                        made.append((importer, row, objects))
                done += 1
                if progress is not None and (done % step == 0 or done == total):
                    progress(done, total)
        if result.problem_count or dry_run:
            transaction.set_rollback(True)
        else:
            _keep(made, parts, batch, result)
    if result.problem_count:
        result.created, result.counts = [], {}
        result.problems.sort(key=lambda p: (order.get(p.sheet, 0), p.row or 0))  # stable
    elif dry_run:
        result.created = [objects[0] for _imp, _row, objects in made]
        for importer, _row, _objects in made:
            result.counts[importer.kind] = result.counts.get(importer.kind, 0) + 1
    return result


def _too_many(importer: Importer) -> Problem:
    return Problem(
        row=None,
        column="",
        sheet=importer.sheet,
        message=_(
            "The sheet has more than %(max)d rows; import at most %(max)d rows at a time (split the file)."
        )
        % {"max": importer.max_source_rows},
    )


def _keep(made, parts, batch, result: ImportResult) -> None:
    """After a successful run: the batch's records and one summarising event per part."""
    if batch is not None:
        from zhaoshang.core.imports import batches

        for importer, row, objects in made:
            batches.record(batch, importer, row, objects)
        if hasattr(batches, "flush"):  # record buffers; written here, in the transaction
            batches.flush(batch)
    for importer, _rows in parts:
        created = [objects[0] for imp, _row, objects in made if imp is importer]
        result.created.extend(created)
        result.counts[importer.kind] = result.counts.get(importer.kind, 0) + len(created)
        if not created and batch is not None:
            continue
        data = {"batch": batch.pk} if batch is not None else {}
        if importer.sheet:
            data["sheet"] = importer.sheet
        log_event(
            importer.user,
            importer.event_verb,
            importer.district,
            summary=_("%(count)d imported from %(file)s")
            % {"count": len(created), "file": result.file_name},
            count=len(created),
            file=result.file_name,
            **data,
            **importer.summary(created),
        )
