"""Import columns and their cell parsers: text, numbers, dates, choices, references."""

from __future__ import annotations

import contextlib
import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.dates import CALENDAR_RANGE, HISTORICAL_RANGE
from zhaoshang.core.validators import NO_MARKUP

if TYPE_CHECKING:
    from zhaoshang.core.imports.importer import Importer

MAX_ROWS = 2000  # data rows per template file (imported while the page waits)
MAX_SOURCE_ROWS = 5000  # data rows per sheet of a district's own workbook (a background task)
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
    takes_unit = False  # whether an amount's unit (元/万元/亿元) is chosen for the column

    def __call__(self, value: Any, importer: Importer) -> Any:
        raise NotImplementedError

    def parse_cell(self, value: Any, importer: Importer, column: Column) -> Any:
        """What the importer calls for a cell of ``column``; a parser whose reading depends
        on the column (``Money``: the unit the mapping chose for it) overrides this."""
        return self(value, importer)

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
        NO_MARKUP(text)  # (the problem is reported under the column's name)
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

# 2026-03-05, 2026-3-5, 2026/3/5, 2026.3.5, 2026年3月5日 (or 号), 20260305; a time after it
# (a CSV written from a date cell) is dropped. The text is NFKC-folded and its spaces removed.
_DATE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?|(\d{2})(\d{2}))")
_MONTH = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})月?|(\d{2}))")
_TIME = re.compile(r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_EXCEL_SERIALS = (20_000, 80_000)  # 1954 .. 2119


def _folded(value: Any) -> str:
    """A cell's text with full-width forms folded (NFKC) and white space removed."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = _TIME.sub("", text)
    return re.sub(r"\s+", "", text)


def _excel_serial(value: Any) -> datetime.date | None:
    """The day of an Excel serial number (a date cell whose format openpyxl did not
    recognise, or a serial typed as text), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = _folded(value)
        if not re.fullmatch(r"\d{5}(?:\.0+)?", text):
            return None
        value = float(text)
    if isinstance(value, int | float) and _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    return None


def _date_text(value: Any) -> str | None:
    """The text of a cell that may spell a date or a month (a number cell too: 20260305,
    2026.3), folded; None for a cell of another type."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(value)
    if isinstance(value, str):
        return _folded(value)
    return None


class Date(Parser):
    """A day in the forms offices write: 2026-03-05, 2026-3-5, 2026/3/5, 2026.3.5,
    2026年3月5日, 20260305, a date cell or an Excel serial; full-width digits and stray
    spaces are understood."""

    kind = "date"

    def __init__(self, historical: bool = False):
        # The platform's span (core.dates): 2004 .. 2099, or from 1949-10-01 for a date
        # that records history and never feeds a time limit.
        self.historical = historical

    def __call__(self, value, importer):
        day = self.read(value)
        if day is None:
            raise ValidationError(
                _("“%(value)s” is not a date; write it as 2026-03-01.")
                % {"value": cell_text(value)}
            )
        (HISTORICAL_RANGE if self.historical else CALENDAR_RANGE)(day)
        return day

    @staticmethod
    def read(value) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        day = _excel_serial(value)
        if day is not None:
            return day
        text = _date_text(value)
        match = _DATE.fullmatch(text) if text else None
        if match:
            year, month, dd, month8, day8 = match.groups()
            try:
                return datetime.date(int(year), int(month or month8), int(dd or day8))
            except ValueError:
                return None
        return None

    def hint(self):
        return _("A date, e.g. 2026-03-01.")


class Month(Parser):
    """A month (stored as its first day): 2026-03, 2026.3, 2026/3, 2026年3月, 202603, or a
    date (a date cell, 2026-03-05) whose month is meant."""

    kind = "text"  # the template keeps "2026-03" as typed

    def __call__(self, value, importer):
        day = None
        text = _date_text(value)
        match = _MONTH.fullmatch(text) if text else None
        if match:
            year, month, month6 = match.groups()
            if 1 <= int(month or month6) <= 12:
                day = datetime.date(int(year), int(month or month6), 1)
        else:
            day = Date.read(value)
        if day is None:
            raise ValidationError(
                _("“%(value)s” is not a month; write it as 2026-03.") % {"value": cell_text(value)}
            )
        CALENDAR_RANGE(day.replace(day=1))
        return day.replace(day=1)

    def hint(self):
        return _("A month, e.g. 2026-03.")


# --- amounts ------------------------------------------------------------------------------

# The units an amount column may be in (ImportMapping.units, Importer.units): how many
# 万元 one of them is.
UNITS = {
    "yuan": Decimal("0.0001"),
    "1k": Decimal("0.1"),  # 千元
    "10k": Decimal(1),
    "10m": Decimal(1000),  # 千万元
    "100m": Decimal(10_000),
}
DEFAULT_UNIT = "10k"
# A unit written in the cell, after the number: 1.2亿元, 3,000万元, 500万, 1200000元.
_CELL_UNITS = (
    ("千万元", Decimal(1000)),
    ("千万", Decimal(1000)),
    ("亿元", Decimal(10_000)),
    ("亿", Decimal(10_000)),
    ("万元", Decimal(1)),
    ("万", Decimal(1)),
    ("千元", Decimal("0.1")),
    ("元", Decimal("0.0001")),
)
_CURRENCY = re.compile(r"^(?:人民币|rmb|cny|¥|￥)|(?:人民币)$", re.IGNORECASE)


def unit_label(unit: str) -> str:
    """How a unit reads: 元, 万元, 亿元 (the same in every language of the site)."""
    return {"yuan": "元", "1k": "千元", "10k": "万元", "10m": "千万元", "100m": "亿元"}.get(
        unit, unit
    )


class Money(Parser):
    """An amount stored in 万元. The cell may carry its unit (1.2亿元, 3,000万元, 500万,
    1200000元); a bare number is in the unit the mapping chose for the column
    (``importer.units[column key]``: "yuan", "10k" or "100m"), 万元 by default."""

    kind = "number"
    takes_unit = True

    def __init__(self, max_digits: int = 14, decimal_places: int = 2):
        self.max_digits, self.decimal_places = max_digits, decimal_places

    def __call__(self, value, importer):
        return self.convert(value, importer, DEFAULT_UNIT)

    def parse_cell(self, value, importer, column):
        units = getattr(importer, "units", None) or {}
        return self.convert(value, importer, units.get(column.key) or DEFAULT_UNIT)

    def convert(self, value, importer, unit: str) -> Decimal:
        factor = UNITS.get(unit, UNITS[DEFAULT_UNIT])
        number = None
        if isinstance(value, str):
            text = _CURRENCY.sub("", _folded(value)).replace(",", "")
            for suffix, cell_factor in _CELL_UNITS:
                if text.endswith(suffix) and len(text) > len(suffix):
                    text, factor = text[: -len(suffix)], cell_factor
                    break
            with contextlib.suppress(InvalidOperation):
                number = Decimal(text)
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number is None or not number.is_finite():
            raise ValidationError(
                _("“%(value)s” is not an amount; write a number, e.g. 1200 or 1.2亿元.")
                % {"value": cell_text(value)}
            )
        if number < 0:
            raise ValidationError(_("The number cannot be negative."))
        return Number(self.max_digits, self.decimal_places)(number * factor, importer)

    def hint(self):
        return _("An amount in 10k yuan; a cell may give its unit: 1.2亿元, 500万元, 8000元.")


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
    """One of a TextChoices; the label in any language, the stored code or one of the
    ``aliases`` offices write ({member value: ("在建", "开工建设"), …}) is accepted."""

    def __init__(self, choices: type[TextChoices], aliases: dict[str, Iterable[str]] | None = None):
        self.enum = choices
        self.aliases = {str(k): tuple(v) for k, v in (aliases or {}).items()}

    def names(self) -> dict[str, str]:
        """Every accepted spelling, normalized, → the stored value."""
        if not hasattr(self, "_names"):
            names = {}
            for member in self.enum:
                for name in self.aliases.get(member.value, ()):
                    names[normalize_key(name)] = member.value
            for member in self.enum:  # a label or code wins over another member's alias
                for name in {member.value} | _in_every_language(lambda m=member: m.label):
                    names[normalize_key(name)] = member.value
            self._names = names
        return self._names

    def __call__(self, value, importer):
        key = normalize_key(cell_text(value))
        names = self.names()
        if key in names:
            return names[key]
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
    # Other headers offices write for the column (Chinese): ("项目名称", "项目"); the mapping
    # of a district's own sheet matches them, and so does a template upload.
    aliases: tuple[str, ...] = ()

    def header_names(self) -> set[str]:
        names = {self.key, *self.aliases} | _in_every_language(lambda: str(self.label))
        return {normalize_key(n) for n in names}

    def describe(self) -> str:
        return " ".join(x for x in (str(self.help), self.parse.hint()) if x)


class FileRefused(Exception):
    """The file as a whole cannot be read as an import file."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = [str(m) for m in messages]
