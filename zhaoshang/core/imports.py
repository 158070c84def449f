"""Excel import of registry records (SPEC §16): a template, all-or-nothing, an error report.

An importer (``enterprises/imports.py``, ``projects/imports.py``) declares its columns: the
header label, whether the column is required and a parser that turns a cell into the value
its service expects. ``Importer.run`` then

1. checks the file (type, size, magic bytes, what it unpacks to) and reads the first sheet
   with openpyxl in read-only mode (defusedxml guards the XML);
2. parses every cell of every row and applies the cross-column and cross-row rules
   (duplicates inside the file and against the database), looking reference data up with
   one query per kind, never one per row;
3. creates the records through the app's own services inside one transaction, collecting
   what the services refuse, mapped to the column of the refused field.

If anything is wrong, nothing is written and every problem is returned with its Excel row
number, its column header and the reason, in the user's language.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import openpyxl
import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.audit import log_event
from zhaoshang.core.validators import validate_upload

MAX_ROWS = 2000  # data rows per file
MAX_COLUMNS = 200  # columns read per row; the templates have fewer than 30
MAX_SCANNED_ROWS = 20_000  # physical rows read, blank ones included
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a 2000-row sheet unpacks to a few megabytes
MAX_PROBLEMS = 1000  # problems kept for the page and the report; the rest are counted
HEADER_SEARCH_ROWS = 10  # a title line or two above the header is tolerated
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_SEPARATORS = re.compile(r"[、,，;；/\n]+")


def normalize_key(value: object) -> str:
    """A lookup key: full-width forms folded (NFKC), white space removed, case folded."""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text).casefold()


def cell_text(value: object) -> str:
    """How a cell reads in a report."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _message(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


# --- parsers: a cell (never empty) → the value the service expects ---------------------------


class Parser:
    """Turn a non-empty cell into a value, or raise ValidationError with the reason."""

    kind = "text"  # how the template formats the column: text, number or date

    def __call__(self, value: Any, importer: Importer) -> Any:
        raise NotImplementedError

    def hint(self) -> str:
        """How to fill the column in, for the instructions sheet."""
        return ""

    def choices(self, importer: Importer) -> list[str] | None:
        """The allowed values (a dropdown in the template), or None for free input."""
        return None


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return cell_text(value)
    return str(value).strip()


class Text(Parser):
    def __init__(self, max_length: int):
        self.max_length = max_length

    def __call__(self, value, importer):
        text = _as_text(value)
        if len(text) > self.max_length:
            raise ValidationError(
                _("At most %(max)d characters; this has %(n)d.")
                % {"max": self.max_length, "n": len(text)}
            )
        return text

    def hint(self):
        return _("Text, at most %(max)d characters.") % {"max": self.max_length}


class Email(Text):
    def __call__(self, value, importer):
        text = super().__call__(value, importer)
        validate_email(text)
        return text

    def hint(self):
        return _("An e-mail address.")


class Number(Parser):
    """A non-negative decimal; more decimal places than the field keeps are rounded."""

    kind = "number"

    def __init__(self, max_digits: int, decimal_places: int = 2):
        self.max_digits, self.decimal_places = max_digits, decimal_places

    def __call__(self, value, importer):
        if isinstance(value, bool | datetime.date):
            raise ValidationError(_("“%(value)s” is not a number.") % {"value": cell_text(value)})
        if isinstance(value, float):
            text = repr(value)
        else:
            text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValidationError(_("“%(value)s” is not a number.") % {"value": cell_text(value)})
        if number < 0:
            raise ValidationError(_("The number cannot be negative."))
        number = number.quantize(Decimal(1).scaleb(-self.decimal_places), ROUND_HALF_UP)
        whole_digits = self.max_digits - self.decimal_places
        if number >= Decimal(10) ** whole_digits:
            raise ValidationError(
                _("The number is too large: at most %(n)d digits before the decimal point.")
                % {"n": whole_digits}
            )
        return number

    def hint(self):
        return _("A number, rounded to %(places)d decimal places.") % {
            "places": self.decimal_places
        }


class WholeNumber(Parser):
    kind = "number"

    def __init__(self, max_value: int = 2_147_483_647):
        self.max_value = max_value

    def __call__(self, value, importer):
        number = Number(20, 6)(value, importer)
        if number != number.to_integral_value():
            raise ValidationError(_("Enter a whole number."))
        if number > self.max_value:
            raise ValidationError(_("The number is too large."))
        return int(number)

    def hint(self):
        return _("A whole number.")


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class Date(Parser):
    kind = "date"

    def __call__(self, value, importer):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and 20_000 <= value <= 80_000
        ):
            # A date cell whose format openpyxl did not recognise: an Excel serial number.
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        text = unicodedata.normalize("NFKC", str(value)).strip()
        for fmt in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValidationError(
            _("“%(value)s” is not a date; write it as 2026-03-01.") % {"value": cell_text(value)}
        )

    def hint(self):
        return _("A date, e.g. 2026-03-01.")


class YesNo(Parser):
    TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
    FALSE = {"否", "n", "no", "false", "0", "×", "✗"}

    def __call__(self, value, importer):
        if isinstance(value, bool):
            return value
        key = normalize_key(cell_text(value))
        if not hasattr(self, "_names"):
            self._names = (
                self.TRUE | {normalize_key(x) for x in _in_every_language(lambda: _("Yes"))},
                self.FALSE | {normalize_key(x) for x in _in_every_language(lambda: _("No"))},
            )
        truthy, falsy = self._names
        if key in truthy:
            return True
        if key in falsy:
            return False
        raise ValidationError(
            _("Write “%(yes)s” or “%(no)s”, not “%(value)s”.")
            % {"yes": _("Yes"), "no": _("No"), "value": cell_text(value)}
        )

    def hint(self):
        return _("“%(yes)s” or “%(no)s”; empty means “%(no)s”.") % {"yes": _("Yes"), "no": _("No")}

    def choices(self, importer):
        return [_("Yes"), _("No")]


def _in_every_language(make: Callable[[], str]) -> set[str]:
    """A label as it reads in every language of the site (a file may come from either)."""
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(make()))
    return names


class Choice(Parser):
    """One of a TextChoices; the label in any language or the stored code is accepted."""

    def __init__(self, choices: type[TextChoices]):
        self.enum = choices

    def __call__(self, value, importer):
        if not hasattr(self, "_names"):
            self._names = {
                normalize_key(name): member.value
                for member in self.enum
                for name in {member.value} | _in_every_language(lambda m=member: m.label)
            }
        key = normalize_key(cell_text(value))
        if key in self._names:
            return self._names[key]
        raise ValidationError(
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": cell_text(value), "allowed": "、".join(self.choices(importer))}
        )

    def choices(self, importer):
        return [str(member.label) for member in self.enum]


class Lookup:
    """Records of one kind indexed by their names and codes (built with one query)."""

    def __init__(
        self,
        objects: Iterable,
        keys: Callable[[Any], Iterable[str]],
        not_found: str,
        ambiguous: str,
    ):
        self.index: dict[str, list] = {}
        for obj in objects:
            for key in {normalize_key(k) for k in keys(obj) if k}:
                self.index.setdefault(key, []).append(obj)
        self.not_found, self.ambiguous = not_found, ambiguous

    def get(self, value: Any):
        found = self.index.get(normalize_key(cell_text(value)), [])
        if not found:
            raise ValidationError(str(self.not_found) % {"value": cell_text(value)})
        if len(found) > 1:
            raise ValidationError(str(self.ambiguous) % {"value": cell_text(value)})
        return found[0]


class Ref(Parser):
    """A record of the user's district named in the cell (by name or code).

    ``records(importer)`` is the queryset of candidates; the importer loads it once per
    file (``Importer.prepare``) and the template lists ``label`` of each as a dropdown."""

    def __init__(
        self,
        records: Callable[[Importer], Iterable],
        keys: Callable[[Any], Iterable[str]],
        not_found: str,
        ambiguous: str = gettext_lazy("Several records are named “%(value)s”; use the code."),
        label: Callable[[Any], str] = str,
        hint: str = "",
    ):
        self.records, self.keys, self.label = records, keys, label
        self.not_found, self.ambiguous, self._hint = not_found, ambiguous, hint

    def build(self, importer: Importer) -> Lookup:
        return Lookup(self.records(importer), self.keys, self.not_found, self.ambiguous)

    def __call__(self, value, importer):
        return importer.lookup_for(self).get(value)

    def hint(self):
        return str(self._hint)

    def choices(self, importer):
        return [self.label(obj) for obj in self.records(importer)]


class RefList(Ref):
    """Several records in one cell, separated by 、 , ; or a line break."""

    def __call__(self, value, importer):
        lookup = importer.lookup_for(self)
        found, errors = [], []
        for part in _SEPARATORS.split(cell_text(value)):
            if not part.strip():
                continue
            try:
                obj = lookup.get(part.strip())
            except ValidationError as exc:
                errors.extend(_message(exc))
            else:
                if obj not in found:
                    found.append(obj)
        if errors:
            raise ValidationError(errors)
        return found

    def hint(self):
        return " ".join(
            x for x in (str(self._hint), _("Separate several names with “、”.")) if x
        ).strip()

    def choices(self, importer):
        return None  # several per cell: no dropdown; the names are listed in the notes


# --- columns, rows, results -----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an import file."""

    key: str  # the service's field name (or a name the importer's clean_row knows)
    label: Any  # the header, translatable; the header in any language is accepted
    parse: Parser
    required: bool = False
    help: Any = ""
    width: int = 16

    def header_names(self) -> set[str]:
        names = {self.key} | _in_every_language(lambda: str(self.label))
        return {normalize_key(n) for n in names}

    def describe(self) -> str:
        return " ".join(x for x in (str(self.help), self.parse.hint()) if x)


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


class FileRefused(Exception):
    """The file as a whole cannot be read as an import file."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = [str(m) for m in messages]


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


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\u3000", " ").strip()
        return value or None
    return value


def open_workbook(uploaded):
    """Open an uploaded .xlsx read-only, after the checks every upload passes."""
    try:
        validate_upload(uploaded, allowed=(".xlsx",))
    except ValidationError as exc:
        raise FileRefused(*_message(exc))
    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(_("The file could not be read as an Excel workbook (.xlsx)."))
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("The file could not be read as an Excel workbook (.xlsx)."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused(
            _("The workbook unpacks to more than %(max)s; save the data alone in a new file.")
            % {"max": filesizeformat(MAX_UNPACKED_BYTES)}
        )
    uploaded.seek(0)
    try:
        return openpyxl.load_workbook(uploaded, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on a broken file
        raise FileRefused(_("The file could not be read as an Excel workbook (.xlsx)."))


# --- the template and the report ------------------------------------------------------------


def template_workbook(importer: Importer) -> bytes:
    """The import template: the header row (required columns marked, each with a note), a
    sheet of instructions and a sheet of the allowed values, which feed the dropdowns."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    head_required = book.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"}
    )
    formats = {
        "text": book.add_format({"num_format": "@"}),
        "number": book.add_format({"num_format": "0.00"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    bold = book.add_format({"bold": True})

    data = book.add_worksheet(str(importer.sheet_title)[:31])
    notes = book.add_worksheet(_("How to fill in")[:31])
    lists = book.add_worksheet(_("Allowed values")[:31])
    lists_ref = lists.get_name().replace("'", "''")

    allowed: dict[str, list[str]] = {}
    list_col = 0
    for col, column in enumerate(importer.columns):
        data.write_string(0, col, str(column.label), head_required if column.required else head)
        data.set_column(col, col, column.width, formats[column.parse.kind])
        note = ("【" + _("Required") + "】" if column.required else "") + column.describe()
        if note:
            data.write_comment(0, col, note, {"x_scale": 2, "y_scale": 1.5})
        choices = column.parse.choices(importer)
        if choices is None and isinstance(column.parse, Ref):
            # Several values per cell: listed for reference, no dropdown.
            choices, dropdown = (
                [column.parse.label(o) for o in column.parse.records(importer)],
                False,
            )
        else:
            dropdown = True
        if choices is None:
            continue
        allowed[column.key] = choices
        lists.write_string(0, list_col, str(column.label), head)
        lists.set_column(list_col, list_col, max(column.width, 20))
        for r, choice in enumerate(choices, start=1):
            lists.write_string(r, list_col, str(choice))
        if dropdown and choices:
            letter = xlsxwriter.utility.xl_col_to_name(list_col)
            data.data_validation(
                1,
                col,
                importer.max_rows,
                col,
                {
                    "validate": "list",
                    "source": f"='{lists_ref}'!${letter}$2:${letter}${len(choices) + 1}",
                    "error_title": str(column.label)[:32],
                    "error_message": _("Choose a value from the list.")[:255],
                },
            )
        list_col += 1
    for extra_title, extra_rows in importer.reference_lists():
        lists.write_string(0, list_col, str(extra_title), head)
        lists.set_column(list_col, list_col, 28)
        for r, value in enumerate(extra_rows, start=1):
            lists.write_string(r, list_col, str(value))
        list_col += 1
    data.freeze_panes(1, 0)
    lists.freeze_panes(1, 0)

    for col, title in enumerate((_("Column"), _("Required"), _("How to fill it in"))):
        notes.write_string(0, col, title, head)
    notes.set_column(0, 0, 26)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 2, 90, wrap)
    for r, column in enumerate(importer.columns, start=1):
        notes.write_string(r, 0, str(column.label), bold if column.required else None)
        notes.write_string(r, 1, _("Yes") if column.required else "")
        text = column.describe()
        choices = allowed.get(column.key)
        if choices and len(choices) <= 12:
            text += " " + _("Allowed: %(values)s.") % {"values": "、".join(map(str, choices))}
        elif choices:
            text += " " + _("See the sheet “%(sheet)s”.") % {"sheet": lists.get_name()}
        notes.write_string(r, 2, text.strip())
    r = len(importer.columns) + 2
    rules = [
        _(
            "Fill in one record per row of the first sheet, from row 2; keep the header row as it is."
        ),
        _(
            "Every row is checked before anything is saved: if any row has a problem, nothing is imported and every problem is listed with its row, column and reason."
        ),
        _("At most %(max)d rows per file; the largest accepted file is %(size)s.")
        % {"max": importer.max_rows, "size": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        *[str(n) for n in importer.notes],
    ]
    notes.write_string(r, 0, _("Rules"), bold)
    for i, rule in enumerate(rules, start=r + 1):
        notes.write_string(i, 0, f"{i - r}. {rule}")
    data.activate()
    book.close()
    return buffer.getvalue()


def report_rows(problems: Iterable[Problem]):
    """Columns and rows of the error report (row, column, value, reason)."""
    columns = [
        (_("Row"), lambda p: p.row if p.row is not None else "—"),
        (_("Column"), lambda p: p.column or "—"),
        (_("Value"), lambda p: p.value),
        (_("Problem"), lambda p: p.message),
    ]
    return columns, list(problems)
