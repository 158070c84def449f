"""Working-day arithmetic and the calendar's state changes (SPEC §5). One module per
family:

- ``index``: the working-day index, the check of a date and the index's upkeep;
- ``arithmetic``: ``add_workdays``, ``workdays_between``, ``days_left`` …, one query each;
- ``window``: ``CalendarWindow``, the same arithmetic on the index read once for a span;
- ``years``: loading, publishing and editing a year's arrangement;
- ``csv_import``: importing a year from a CSV file;
- ``warning``: the calendar's status and the admins' warning about next year.

Callers import this package (``from zhaoshang.workdays import services as workdays``).
"""

from zhaoshang.workdays.services.arithmetic import (
    add_workdays,
    days_left,
    is_provisional,
    is_workday,
    next_workday,
    seq_of,
    workdays_between,
)
from zhaoshang.workdays.services.csv_import import (
    KINDS,
    CalendarImportError,
    decode,
    import_csv,
    parse_csv,
)
from zhaoshang.workdays.services.index import (
    YEARS_AHEAD,
    OutOfCalendar,
    WorkdayDate,
    ensure_range,
    index_last,
)
from zhaoshang.workdays.services.warning import (
    WARN_FROM,
    cached_unpublished_next_year,
    status_lines,
    unpublished_next_year,
    warning_text,
)
from zhaoshang.workdays.services.window import CalendarWindow, transaction_window
from zhaoshang.workdays.services.years import (
    NAME_MAX,
    Problem,
    check_entries,
    load_year,
    publish_year,
    year_edited,
)

__all__ = [
    "KINDS",
    "NAME_MAX",
    "WARN_FROM",
    "YEARS_AHEAD",
    "CalendarImportError",
    "CalendarWindow",
    "OutOfCalendar",
    "Problem",
    "WorkdayDate",
    "add_workdays",
    "cached_unpublished_next_year",
    "check_entries",
    "days_left",
    "decode",
    "ensure_range",
    "import_csv",
    "index_last",
    "is_provisional",
    "is_workday",
    "load_year",
    "next_workday",
    "parse_csv",
    "publish_year",
    "seq_of",
    "status_lines",
    "transaction_window",
    "unpublished_next_year",
    "warning_text",
    "workdays_between",
    "year_edited",
]
