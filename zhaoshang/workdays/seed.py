"""The shipped calendar: the arrangements 2004–2026 from the `chinese-calendar` package and
the working-day index up to 2029, written by migration 0002.

Deterministic (the same rows from the same pinned packages) and fast: a few thousand rows
in bulk, no history records (a migration's models keep none; the seed is the baseline).
"""

from __future__ import annotations

import datetime

from zhaoshang.core import clock
from zhaoshang.workdays import rules

SEED_YEARS = range(2004, 2027)
# The index the migration builds: three years past the last seeded one. Later the index
# grows on demand (services.ensure_range), always by whole years.
SEED_INDEX_LAST = datetime.date(2029, 12, 31)

# The State Council notices, as far as known: the document number for 2006 on, with the
# later notices that changed a year's arrangement; the title for every year.
NOTICE_NUMBERS = {
    2006: "国办发明电〔2005〕35号",
    2007: "国办发明电〔2006〕49号",
    2008: "国办发明电〔2007〕52号",
    2009: "国办发明电〔2008〕42号",
    2010: "国办发明电〔2009〕27号",
    2011: "国办发明电〔2010〕40号",
    2012: "国办发明电〔2011〕45号",
    2013: "国办发明电〔2012〕33号",
    2014: "国办发明电〔2013〕28号",
    2015: "国办发明电〔2014〕28号；国发明电〔2015〕1号",
    2016: "国办发明电〔2015〕18号",
    2017: "国办发明电〔2016〕17号",
    2018: "国办发明电〔2017〕12号",
    2019: "国办发明电〔2018〕15号；国办发明电〔2019〕3号",
    2020: "国办发明电〔2019〕16号；国办发明电〔2020〕1号",
    2021: "国办发明电〔2020〕27号",
    2022: "国办发明电〔2021〕11号",
    2023: "国办发明电〔2022〕16号",
    2024: "国办发明电〔2023〕7号",
    2025: "国办发明电〔2024〕12号",
    2026: "国办发明电〔2025〕7号",
}

# chinese-calendar names festivals in English; entries carry the notice's Chinese names.
FESTIVAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


# Where chinese-calendar departs from the notice, the notice wins (the cross-check test
# against the `holidays` package finds these).
CORRECTIONS = {
    # 国办发明电〔2005〕35号, the 2006 arrangement: "元旦：1月1日—3日放假 … 12月31日（星期六）
    # 上班". chinese-calendar 1.11 has Saturday 31 December 2005 as an ordinary weekend.
    datetime.date(2005, 12, 31): (rules.WORKDAY, "元旦调休上班"),
}


def notice_title(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


def seed_entries() -> dict[int, list[tuple[datetime.date, str, str]]]:
    """{year: [(date, kind, name)]} for 2004–2026, in date order."""
    import chinese_calendar

    by_year: dict[int, list[tuple[datetime.date, str, str]]] = {y: [] for y in SEED_YEARS}
    for day, festival in chinese_calendar.holidays.items():
        by_year[day.year].append((day, rules.HOLIDAY, FESTIVAL_NAMES[festival]))
    for day, festival in chinese_calendar.workdays.items():
        by_year[day.year].append((day, rules.WORKDAY, f"{FESTIVAL_NAMES[festival]}调休上班"))
    for day, (kind, name) in CORRECTIONS.items():
        by_year[day.year] = [e for e in by_year[day.year] if e[0] != day] + [(day, kind, name)]
    return {year: sorted(entries) for year, entries in by_year.items()}


def seed_calendar(apps, schema_editor) -> None:
    """Load the seed years as published and build the index (migration 0002)."""

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarEntry = apps.get_model("workdays", "CalendarEntry")
    Day = apps.get_model("workdays", "Day")
    db = schema_editor.connection.alias
    now = clock.now()
    entries = seed_entries()
    CalendarYear.objects.using(db).bulk_create(
        [
            CalendarYear(
                year=year,
                status="published",
                notice=NOTICE_NUMBERS.get(year, ""),
                notice_title=notice_title(year),
                source="seed",
                loaded_at=now,
                published_at=now,
            )
            for year in SEED_YEARS
        ]
    )
    year_ids = {
        y.year: y.pk for y in CalendarYear.objects.using(db).filter(year__in=list(SEED_YEARS))
    }
    CalendarEntry.objects.using(db).bulk_create(
        [
            CalendarEntry(calendar_year_id=year_ids[year], date=day, kind=kind, name=name)
            for year, rows in entries.items()
            for day, kind, name in rows
        ],
        batch_size=500,
    )
    published = {year: {day: kind for day, kind, _name in rows} for year, rows in entries.items()}
    Day.objects.using(db).bulk_create(
        [
            Day(
                date=row.date,
                is_workday=row.is_workday,
                seq=row.seq,
                is_provisional=row.is_provisional,
                provisional_seq=row.provisional_seq,
            )
            for row in rules.day_rows(rules.EPOCH, SEED_INDEX_LAST, published)
        ],
        batch_size=1000,
    )


def unseed_calendar(apps, schema_editor) -> None:
    db = schema_editor.connection.alias
    apps.get_model("workdays", "Day").objects.using(db).all().delete()
    apps.get_model("workdays", "CalendarYear").objects.using(db).filter(source="seed").delete()
