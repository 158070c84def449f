"""Write the example ledger ``ledger-example.xlsx``: a district's 招商引资项目推进台账 in the
shape an investment-promotion office really keeps it, not our template (issue #20, point 5).

Every sheet has a merged title row, a merged unit line, its own headers (the project sheet a
two-level merged header, "推进情况" over the stage dates), 序号, amounts in 亿元 or 万元, dates
written as text in the forms offices type (2025.3.15, 2025年6月1日, 2025-9-1; one signing date
is a real date cell), stages and park names in the office's words, and a 备注 column.

The ONE bad row: on sheet "项目台账", Excel row 26 (序号 22, 智能农机装备制造项目) has its
开工时间 typed with month 13 (e.g. "2026.13.5"): a date that does not exist. ``bad_row=False``
writes the date as it should read (the demo imports that corrected ledger).

The ledger matches a district: ``build_workbook`` takes the district's real names (its parks,
industries, departments, leaders and staff) as ``LedgerNames`` and the cut-off day; the parks
are written as the office shortens them ("新能源产业园" → "新能源园"). The content itself
(projects, enterprises, stories) is in ``ledger_content.py``.

Run ``python -m zhaoshang.demo.ledger.make_example`` to rewrite the committed file for
the demo's onboarded district (``zhaoshang.demo.onboarded``) as of 2026-11-30.
"""

from __future__ import annotations

import calendar
import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from zhaoshang.demo.ledger import ledger_content as L

HERE = Path(__file__).resolve().parents[2] / "onboarding" / "examples"
EXAMPLE = HERE / "ledger-example.xlsx"
AS_OF = datetime.date(2026, 11, 30)  # the committed file's cut-off (截至11月底)
SEED = 2026
DAY = datetime.timedelta(days=1)
BAD_ROW = 22  # the 序号 of the bad row (Excel row 26 of 项目台账)
FIRST_DATA_ROW = 5
MONTHS = 4  # the months of figures in 月度进展

_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


@dataclass
class LedgerNames:
    """The district's own names the ledger must use (they exist in the district)."""

    district: str  # 南城区
    city: str  # 锦川市
    bureau: str  # the office that fills the ledger in: 区投资促进局
    region: str  # the district's credit-code region (a local enterprise's code)
    parks: dict[str, str]  # industry key → our park's name
    industries: dict[str, str]  # industry key → our industry's name
    leaders: list[str]  # the district leaders who lead projects (联系领导)
    secretaries: list[str]  # section-level staff (项目秘书)
    officers: list[str]  # general staff (服务专员)
    departments: dict[str, str]  # catalogue key (ndrc, land, works …) → department name
    committee: str  # the park committee's name
    items: dict[str, str]  # approval item code → its name in the district's catalogue


def office_park(names: LedgerNames, key: str) -> str:
    """How the office writes a park: shortened, without its district's name and 产业
    ("新能源产业园" → "新能源园")."""
    name = names.parks[key].removeprefix(names.district).removeprefix(names.district[:-1])
    return name.replace("产业园", "园").replace("产业", "") or names.parks[key]


# --- dates -------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(
        year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1])
    )


def office_date(day: datetime.date | None, form: int) -> str:
    """A date as an office types it, in one of three forms."""
    if day is None:
        return ""
    return (
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}-{day.month}-{day.day}",
    )[form % 3]


# (days from the stage before: low, high) for 已注册, 已供地, 在建, 已投产
GAPS = {"已注册": (15, 50), "已供地": (40, 110), "在建": (25, 80), "已投产": (240, 420)}
LAST = {"已签约": (20, 150), "已注册": (20, 120), "已供地": (30, 150), "在建": (40, 300)}
LAST["已投产"] = (60, 420)


class Ledger:
    """The ledger's facts for a cut-off day: each project's stage dates, land, figures."""

    def __init__(self, names: LedgerNames, as_of: datetime.date):
        self.names, self.as_of = names, as_of
        rng = random.Random(SEED)
        self.projects = []
        for i, (name, ent, park, industry, amount, stage, note) in enumerate(L.PROJECTS):
            p = {"no": i + 1, "name": name, "enterprise": L.ENTERPRISES[ent], "park": park}
            p |= {"industry": industry, "amount": amount, "stage": stage, "note": note}
            p["dates"] = self._dates(rng, stage)
            p["leader"] = names.leaders[i % len(names.leaders)]
            p["secretary"] = names.secretaries[i % len(names.secretaries)]
            p["officer"] = names.officers[i % len(names.officers)]
            p["land"] = round(amount * 10000 / rng.randint(260, 420), 1)  # mu at 260–420 万/亩
            self.projects.append(p)

    def _dates(self, rng, stage: str) -> dict[str, datetime.date]:
        if stage == "在谈":
            return {}
        reached = L.DATE_STAGES[: L.DATE_STAGES.index(stage) + 1]
        day = self.as_of - DAY * rng.randint(*LAST[stage])
        dates = {reached[-1]: day}
        for later, earlier in zip(reversed(reached), list(reversed(reached))[1:], strict=False):
            day = day - DAY * rng.randint(*GAPS[later])
            dates[earlier] = day
        return dict(sorted(dates.items(), key=lambda d: d[1]))

    def signed(self):
        return [p for p in self.projects if p["dates"]]

    def credit_code(self, index: int) -> str:
        from zhaoshang.enterprises.creditcode import make_credit_code

        _name, _origin, region, _home, _rep = L.ENTERPRISES[index]
        rng = random.Random(f"{SEED}-{index}")
        body = "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
        return make_credit_code("91" + (region or self.names.region) + body + _check(body))


def _check(body: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True)
    )
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


# --- the office's sheet ------------------------------------------------------------------------


def office_sheet(wb, title: str, heading: str, unit_line: str, headers: list, rows: list, widths):
    """A sheet as the office lays it out: the merged title, the merged unit line, the
    header (a group ``(name, [sub, …])`` spans its subheaders over two rows), the rows."""
    ws = wb.create_sheet(title)
    flat = [h for group in headers for h in (group[1] if isinstance(group, tuple) else [group])]
    last = get_column_letter(len(flat))
    two_rows = any(isinstance(h, tuple) for h in headers)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = heading
    ws["A1"].font, ws["A1"].alignment = Font(name="方正小标宋简体", size=16, bold=True), CENTER
    ws.row_dimensions[1].height = 32
    ws.merge_cells(f"A2:{last}2")
    ws["A2"], ws["A2"].alignment = unit_line, LEFT
    column, header_rows = 1, (3, 4) if two_rows else (3,)
    for group in headers:
        if isinstance(group, tuple):
            name, subs = group
            ws.cell(3, column, name)
            ws.merge_cells(
                start_row=3, start_column=column, end_row=3, end_column=column + len(subs) - 1
            )
            for offset, sub in enumerate(subs):
                ws.cell(4, column + offset, sub)
            column += len(subs)
        else:
            ws.cell(3, column, group)
            if two_rows:
                ws.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
            column += 1
    for r in header_rows:
        for c in range(1, len(flat) + 1):
            cell = ws.cell(r, c)
            cell.font, cell.fill, cell.alignment, cell.border = (
                Font(bold=True),
                HEAD_FILL,
                CENTER,
                BORDER,
            )
    start = header_rows[-1] + 1
    for r, values in enumerate(rows, start=start):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            cell.border, cell.alignment = BORDER, CENTER if c == 1 else LEFT
            if isinstance(value, datetime.date):
                cell.number_format = 'yyyy"年"m"月"d"日"'
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(start, 3)
    return ws


def _heading(names: LedgerNames, as_of: datetime.date, what: str) -> str:
    return f"{names.district}{as_of.year}年{what}（截至{as_of.month}月底）"


def _unit(names: LedgerNames, unit: str) -> str:
    return f"单位：{unit}　填报单位：{names.bureau}"


def build_workbook(names: LedgerNames, as_of: datetime.date = AS_OF, *, bad_row: bool = True):
    """The example ledger for ``names`` as of ``as_of`` (an openpyxl Workbook)."""
    from zhaoshang.demo.ledger import sheets

    ledger = Ledger(names, as_of)
    wb = Workbook()
    wb.remove(wb.active)
    _projects_sheet(wb, ledger, bad_row)
    sheets.enterprises(wb, ledger)
    sheets.agreements(wb, ledger)
    sheets.obligations(wb, ledger)
    sheets.cases(wb, ledger)
    sheets.parcels(wb, ledger)
    sheets.monthly(wb, ledger)
    sheets.funds(wb, ledger)
    sheets.team(wb, ledger)
    return wb


def _projects_sheet(wb, ledger: Ledger, bad_row: bool) -> None:
    names, rows = ledger.names, []
    for p in ledger.projects:
        i, dates = p["no"] - 1, p["dates"]
        texts = [office_date(dates.get(s), i + k) for k, s in enumerate(L.DATE_STAGES)]
        if i == 0:  # one signing date typed as a real date cell
            texts[0] = dates["已签约"]
        if p["no"] == BAD_ROW and bad_row:
            start = dates["在建"]
            texts[3] = f"{start.year}.13.{start.day}"
        stage = p["stage"]
        if stage == "在建":
            stage = ("在建", "开工建设", "在建")[i % 3]
        ent = L.ENTERPRISES[L.PROJECTS[i][1]]
        code = ledger.credit_code(L.PROJECTS[i][1]) if dates else ""
        rows.append(
            [
                p["no"],
                p["name"],
                ent[0],
                code,
                office_park(names, p["park"]),
                L.INDUSTRY_WORDS.get(p["industry"], names.industries[p["industry"]]),
                p["amount"],
                stage,
                *texts,
                p["leader"],
                p["note"],
            ]
        )
    total = round(sum(p["amount"] for p in ledger.projects), 2)
    rows.append(["合计", "", "", "", "", "", total, "", "", "", "", "", "", "", ""])
    headers = ["序号", "项目名称", "投资主体", "统一社会信用代码", "所属园区", "产业类别"]
    headers += ["计划总投资（亿元）"]
    headers += [
        ("推进情况", ["当前阶段", "签约时间", "注册时间", "供地时间", "开工时间", "投产时间"])
    ]
    headers += ["联系领导", "备注"]
    widths = [6, 30, 30, 22, 12, 12, 12, 10, 12, 12, 12, 12, 12, 10, 28]
    heading = _heading(names, ledger.as_of, "招商引资项目推进台账")
    office_sheet(wb, "项目台账", heading, _unit(names, "亿元"), headers, rows, widths)


def main() -> None:
    import django

    django.setup()
    from zhaoshang.demo.onboarded import ledger_names_of_spec

    wb = build_workbook(ledger_names_of_spec(), AS_OF)
    wb.save(EXAMPLE)
    print(f"wrote {EXAMPLE}")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    main()
