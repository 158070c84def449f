"""The calendar's rules as pure functions: which days are off in a year, and the rows of
the working-day index. No database here: the seed migration and the services share them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import NamedTuple

# The index starts here: the first year the seed package (chinese-calendar) knows.
EPOCH = datetime.date(2004, 1, 1)
# The lunar dates of the provisional rule are reliable up to 2099 (the `holidays` package).
LAST_DAY = datetime.date(2099, 12, 31)
ONE_DAY = datetime.timedelta(days=1)

HOLIDAY = "holiday"
WORKDAY = "workday"


class DayRow(NamedTuple):
    date: datetime.date
    is_workday: bool
    seq: int
    is_provisional: bool
    provisional_seq: int


@lru_cache(maxsize=128)
def _provisional_holidays(year: int) -> tuple[tuple[datetime.date, str], ...]:
    import holidays

    if not 2008 <= year <= LAST_DAY.year:
        raise ValueError(f"the provisional rule covers 2008–{LAST_DAY.year}, not {year}")
    # Only the lunar dates and the Qingming solar term are taken from the package, by the
    # names of its statutory days; the days each festival gives are the regulation's as in
    # force from 2025, whatever year it is, and the package's substituted and observed
    # days are left out (observed=False, and they carry other names).
    found: dict[str, list[datetime.date]] = {}
    for day, name in holidays.China(years=year, observed=False, language="zh_CN").items():
        for part in name.split("; "):
            found.setdefault(part, []).append(day)
    spring = min(found["春节"])  # 正月初一
    days: dict[datetime.date, str] = {}

    def add(day: datetime.date, name: str) -> None:
        # Two festivals on one day (中秋节 on 1–3 October) give one day off, named for both.
        days[day] = f"{days[day]}、{name}" if day in days else name

    add(datetime.date(year, 1, 1), "元旦")
    for n in range(-1, 3):  # 农历除夕, 正月初一至初三
        add(spring + n * ONE_DAY, "春节")
    add(found["清明节"][0], "清明节")
    add(datetime.date(year, 5, 1), "劳动节")
    add(datetime.date(year, 5, 2), "劳动节")
    add(found["端午节"][0], "端午节")  # 农历五月初五
    add(found["中秋节"][0], "中秋节")  # 农历八月十五
    for d in (1, 2, 3):
        add(datetime.date(year, 10, d), "国庆节")
    return tuple(sorted(days.items()))


def provisional_holidays(year: int) -> dict[datetime.date, str]:
    """The statutory holidays of a year under 全国年节及纪念日放假办法 as in force from 2025:
    元旦 (1 January), 春节 (农历除夕 and 正月初一 to 初三), 清明节 (the Qingming solar term),
    劳动节 (1–2 May), 端午节 (农历五月初五), 中秋节 (农历八月十五), 国庆节 (1–3 October).

    The provisional rule for a year without a published arrangement: these days are off,
    every other Monday to Friday is a working day, and no weekend day is worked. Days that
    fall on a weekend (or on another festival) are simply off; nothing is moved.
    """
    return dict(_provisional_holidays(year))


def is_workday_in(day: datetime.date, entries: Mapping[datetime.date, str] | None) -> bool:
    """Whether ``day`` is worked: under a published arrangement (``entries``: date → kind),
    or under the provisional rule when ``entries`` is None."""
    if entries is None:
        return day.weekday() < 5 and day not in provisional_holidays(day.year)
    kind = entries.get(day)
    if kind is not None:
        return kind == WORKDAY
    return day.weekday() < 5


def day_rows(
    first: datetime.date,
    last: datetime.date,
    published: Mapping[int, Mapping[datetime.date, str]],
    *,
    seq_before: int = 0,
    provisional_seq_before: int = 0,
) -> Iterator[DayRow]:
    """The index rows from ``first`` to ``last`` inclusive, continuing the counts of the day
    before ``first``. ``published`` maps each published year to its entries (date → kind);
    a year missing from it is provisional."""
    seq, provisional_seq = seq_before, provisional_seq_before
    day = first
    while day <= last:
        entries = published.get(day.year)
        provisional = entries is None
        workday = is_workday_in(day, entries)
        seq += workday
        provisional_seq += provisional
        yield DayRow(day, workday, seq, provisional, provisional_seq)
        day += ONE_DAY
