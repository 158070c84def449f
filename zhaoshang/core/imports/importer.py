"""The importer: checks, parses and creates every row of a file, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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

    def as_list(self) -> list:
        return [self.row, self.column, self.value, self.message]

    @classmethod
    def from_list(cls, data: Sequence) -> Problem:
        row, column, value, message = data
        return cls(row=row, column=column, message=message, value=value)


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
    created: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)

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
    max_rows = MAX_ROWS
    # A service's error on a field that is not a column (e.g. the model's "enterprise"
    # when the file names it by credit code) goes to this column.
    field_columns: dict[str, str] = {}

    def __init__(self, user, district):
        self.user, self.district = user, district
        self._lookups: dict[int, Lookup] = {}
        self._by_key = {c.key: c for c in self.columns}

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
        )

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
        """Check and import ``uploaded`` (an UploadedFile or a django File); all or nothing."""
        if not self.allowed():
            raise PermissionDenied
        result = ImportResult(file_name=getattr(uploaded, "name", "") or "", dry_run=dry_run)

        def add(problems: Iterable[Problem]) -> None:
            for p in problems:
                result.problem_count += 1
                if len(result.problems) < MAX_PROBLEMS:
                    result.problems.append(p)

        try:
            rows, result.ignored_columns = self.read(uploaded)
        except FileRefused as exc:
            add(Problem(row=None, column="", message=m) for m in exc.messages)
            return result
        result.rows = len(rows)

        self.prepare(rows)
        for row in rows:
            add(self.parse_row(row))
        add(self.check_rows([r for r in rows if r.ok]))

        # The services run for every good row even when other rows failed, so that one
        # upload reports every problem; the transaction is rolled back unless all passed.
        with transaction.atomic():
            for row in rows:
                if not row.ok:
                    continue
                try:
                    obj = self.create(dict(row.values))
                except ValidationError as exc:
                    row.ok = False
                    add(self.service_problems(row, exc))
                except IntegrityError:
                    # A record saved meanwhile by somebody else; the service's own atomic
                    # block has rolled back to its savepoint, so the others can go on.
                    row.ok = False
                    clash = _(
                        "This row clashes with a record saved meanwhile; import the file again."
                    )
                    add([self.problem(row, None, clash)])
                else:
                    result.created.append(obj)
            if result.problem_count or dry_run:
                transaction.set_rollback(True)
            else:
                log_event(
                    self.user,
                    self.event_verb,
                    self.district,
                    summary=_("%(count)d imported from %(file)s")
                    % {"count": len(result.created), "file": result.file_name},
                    count=len(result.created),
                    file=result.file_name,
                    **self.summary(result.created),
                )
        if result.problem_count:
            result.created = []
            result.problems.sort(key=lambda p: p.row or 0)  # stable: columns stay in order
        return result

    def parse_row(self, row: Row) -> list[Problem]:
        problems: list[Problem] = []
        for column in self.columns:
            value = row.raw.get(column.key)
            if value is None:
                if column.required:
                    problems.append(self.problem(row, column.key, _("This column is required.")))
                continue
            try:
                row.values[column.key] = column.parse(value, self)
            except ValidationError as exc:
                problems.extend(self.problem(row, column.key, m) for m in _message(exc))
        if not problems:
            try:
                self.clean_row(row)
            except ValidationError as exc:
                problems.extend(self.service_problems(row, exc))
        row.ok = not problems
        return problems

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
