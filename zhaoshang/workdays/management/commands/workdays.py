"""``python manage.py workdays`` (SPEC §19): working-day arithmetic and calendar upkeep.

    workdays add DATE N        the date N working days after DATE (" provisional" appended
                               when it rests on a year without a published arrangement)
    workdays between D1 D2     the working days after D1 up to and including D2
    workdays status            one line per year: YEAR loaded | draft | missing
    workdays import FILE       load a year from CSV date,kind,name (--notice, --title, --draft)

The output lines are a fixed interface; errors name the argument and exit non-zero.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhaoshang.workdays import services


def _date(value: str, argument: str) -> datetime.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            _("%(argument)s: “%(value)s” is not a date (use YYYY-MM-DD).")
            % {"argument": argument, "value": value}
        )


class Command(BaseCommand):
    help = "Working-day arithmetic and the holiday calendar (add, between, status, import)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        add = actions.add_parser("add", help="the date N working days after DATE")
        add.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
        add.add_argument("n", metavar="N", help="working days, 0 or more")
        between = actions.add_parser("between", help="working days after D1 up to and including D2")
        between.add_argument("d1", metavar="D1", help="YYYY-MM-DD")
        between.add_argument("d2", metavar="D2", help="YYYY-MM-DD")
        actions.add_parser("status", help="loaded, draft and missing years")
        load = actions.add_parser("import", help="load a year from a CSV file date,kind,name")
        load.add_argument("file", metavar="FILE", help="CSV file: date,kind,name")
        load.add_argument(
            "--notice", default="", help="the notice's number, e.g. 国办发明电〔2025〕7号"
        )
        load.add_argument("--title", default="", help="the notice's title")
        load.add_argument(
            "--draft", action="store_true", help="keep the year as a draft (not in force)"
        )

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except services.OutOfCalendar as exc:
            raise CommandError(str(exc))

    def do_add(self, date: str, n: str, **options):
        start = _date(date, "DATE")
        try:
            count = int(n)
        except ValueError:
            count = -1
        if count < 0:
            raise CommandError(
                _("N: “%(value)s” is not a number of working days (a whole number, 0 or more).")
                % {"value": n}
            )
        try:
            services.ensure_range(start)
        except services.OutOfCalendar as exc:
            raise CommandError(f"DATE: {exc}")
        result = services.add_workdays(start, count)
        self.stdout.write(result.date.isoformat() + (" provisional" if result.provisional else ""))

    def do_between(self, d1: str, d2: str, **options):
        first, second = _date(d1, "D1"), _date(d2, "D2")
        for argument, day in (("D1", first), ("D2", second)):
            try:
                services.ensure_range(day)
            except services.OutOfCalendar as exc:
                raise CommandError(f"{argument}: {exc}")
        self.stdout.write(str(services.workdays_between(first, second)))

    def do_status(self, **options):
        for line in services.status_lines():
            self.stdout.write(line)

    def do_import(self, file: str, notice: str, title: str, draft: bool, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("FILE: cannot read “%(file)s”: %(reason)s")
                % {"file": file, "reason": exc.strerror or exc}
            )
        try:
            loaded = services.import_csv(data, notice=notice, title=title, draft=draft)
        except services.CalendarImportError as exc:
            for problem in exc.problems:
                if problem.position is not None:
                    self.stderr.write(
                        _("line %(line)s: %(message)s")
                        % {"line": problem.position, "message": problem.message}
                    )
                else:
                    self.stderr.write(problem.message)
            raise CommandError(
                _("Nothing was loaded from %(file)s: %(count)s problem(s).")
                % {"file": file, "count": len(exc.problems)}
            )
        self.stdout.write(f"{loaded.year} {'loaded' if loaded.is_published else 'draft'}")
