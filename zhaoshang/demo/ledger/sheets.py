"""The example ledger's further sheets (``make_example.py``), each in the office's own style:
the enterprises, the agreements and both sides' duties, the approval cases in flight, the land
parcels, the last months' figures, the funds in place and the project teams."""

from __future__ import annotations

import datetime
import random

from zhaoshang.demo.ledger import ledger_content as L
from zhaoshang.demo.ledger.make_example import (
    DAY,
    MONTHS,
    Ledger,
    _heading,
    _unit,
    add_months,
    office_date,
    office_park,
    office_sheet,
)

# The projects whose agreed start has passed without a start (red with a story): the
# railway parts (land delivered, not started) and the farm machinery (started late).
LATE_START = ("轨道交通装备零部件项目", "智能农机装备制造项目")
FUNDS_ORIGIN = {"省外": "省外资金", "境外": "省外资金", "省内": "省内资金", "本地": "市内资金"}
# The share of the total investment done by the cut-off, by stage.
DONE_SHARE = {"已签约": (0.0, 0.02), "已注册": (0.01, 0.05), "已供地": (0.05, 0.12)}
DONE_SHARE |= {"在建": (0.2, 0.65), "已投产": (0.8, 1.0)}


def enterprises(wb, ledger: Ledger) -> None:
    rows, used = [], sorted({row[1] for row in L.PROJECTS})
    rng = random.Random("enterprises")
    for n, index in enumerate(used, start=1):
        name, origin, _region, home, rep = L.ENTERPRISES[index]
        place = home or f"{ledger.names.city}{ledger.names.district}"
        address = f"{place}{rng.choice(['工业大道', '科创路', '纬三路', '兴业街'])}{rng.randint(1, 299)}号"
        capital = rng.choice([1000, 2000, 3000, 5000, 8000, 10000, 20000])
        phone = f"1{rng.choice(['38', '39', '58', '77', '86'])}{rng.randint(10000000, 99999999)}"
        note = "外商投资企业（德国）" if origin == "境外" else ""
        rows.append(
            [n, name, ledger.credit_code(index), rep, capital, origin, address, rep, phone, note]
        )
    headers = ["序号", "企业名称", "统一社会信用代码", "法定代表人", "注册资本（万元）", "来源地"]
    headers += ["注册地址", "联系人", "联系电话", "备注"]
    heading = _heading(ledger.names, ledger.as_of, "招商引资项目企业名录")
    office_sheet(
        wb,
        "企业名录",
        heading,
        _unit(ledger.names, "万元"),
        headers,
        rows,
        [6, 32, 22, 12, 12, 10, 36, 10, 14, 20],
    )


def _agreement_number(ledger: Ledger, p) -> str:
    signed = p["dates"]["已签约"]
    return f"{ledger.names.district[0]}投协〔{signed.year}〕{p['no']}号"


def agreed_dates(ledger: Ledger, p) -> tuple[datetime.date, datetime.date, datetime.date]:
    """The agreed start, completion and production: met on time, except the late starts."""
    d, signed = p["dates"], p["dates"]["已签约"]
    start = add_months(signed, 8)
    if "在建" in d:
        start = max(start, d["在建"] + DAY * 20)
    elif start <= ledger.as_of:
        start = add_months(ledger.as_of, 3)
    if p["name"] in LATE_START:
        start = ledger.as_of - DAY * 45 if "在建" not in d else d["在建"] - DAY * 60
    completion = add_months(start, 16)
    production = add_months(completion, 2)
    if "已投产" in d:
        production = max(production, d["已投产"] + DAY * 30)
        completion = min(completion, production - DAY * 30)
    return start, completion, production


def _money_text(amount: int) -> str:
    return f"{amount / 10000:g}亿元" if amount >= 10000 else f"{amount}万元"


def schedule(ledger: Ledger, p) -> list[tuple[datetime.date, int]]:
    """The agreed funds in place (cumulative) by two dates: the first met by the funds
    recorded (when it has fallen due), except for the farm machinery, whose funds lag; the
    second a year after the cut-off, the line between them passing the funds in place at
    the cut-off (on schedule)."""
    entries = funds_entries(ledger, p)
    total = round(p["amount"] * 10000)
    second_day = add_months(ledger.as_of, 12)
    if len(entries) < 2:
        return [(add_months(ledger.as_of, 6), round(total * 0.3)), (second_day, round(total * 0.8))]
    first_day = add_months(entries[1][0], 1).replace(day=1) - DAY
    first = max(100, (entries[0][1] + entries[1][1]) // 100 * 100)
    funded = sum(amount for _d, amount, _u in entries)
    span = (ledger.as_of - first_day).days
    if span >= 30:
        second = first + (funded - first) * (second_day - first_day).days / span
    else:
        second = first + (total * 0.8 - first) * 0.2
    second = min(max(second, first + 100), total)
    if p["name"] == LATE_START[1]:
        first_day, first = ledger.as_of - DAY * 40, round(first * 1.6) // 100 * 100
    return [(first_day, first), (second_day, max(first + 100, round(second / 100) * 100))]


def agreements(wb, ledger: Ledger) -> None:
    rows, names = [], ledger.names
    party = f"{names.city}{names.district}人民政府"
    for n, p in enumerate(ledger.signed(), start=1):
        start, completion, production = agreed_dates(ledger, p)
        reached = add_months(production, 24)  # 达产: two years after production
        i = p["no"]
        intensity = round(p["amount"] * 10000 / p["land"])
        tax = round(p["amount"] * 10000 * 0.012 / 10) * 10
        jobs = max(30, round(p["amount"] * 25 / 10) * 10)
        lines = [
            f"{day.year}年{day.month}月{day.day}日前累计到位{_money_text(amount)}"
            for day, amount in schedule(ledger, p)
        ]
        service = (
            "负责项目用地“七通一平”，协助办理项目审批手续"
            if i % 2
            else "提供标准厂房代建服务，协调水电气接入"
        )
        rows.append(
            [n, _agreement_number(ledger, p), p["name"], office_date(p["dates"]["已签约"], i + 1),
             party, p["enterprise"][0], p["amount"], p["land"], "；".join(lines),
             office_date(start, i), office_date(completion, i + 1), office_date(production, i + 2),
             intensity, tax, jobs, *[office_date(reached, i + k) for k in range(3)], service, ""]
        )  # fmt: skip
    headers = ["序号", "协议编号", "项目名称", "签约时间", "甲方", "乙方", "协议投资额（亿元）"]
    headers += ["用地面积（亩）", "分期投资计划"]
    headers += [("约定时限", ["约定开工时间", "约定竣工时间", "约定投产时间"])]
    headers += ["投资强度（万元/亩）", "年税收（万元）", "用工人数"]
    headers += [("达产考核", ["投资强度达标时间", "税收达标时间", "就业达标时间"])]
    headers += ["政府服务条款", "备注"]
    heading = _heading(names, ledger.as_of, "招商引资项目投资协议台账")
    widths = [6, 18, 30, 12, 22, 30, 12, 10, 40, 12, 12, 12, 12, 12, 10, 12, 12, 12, 30, 16]
    office_sheet(wb, "协议", heading, _unit(names, "亿元"), headers, rows, widths)


def obligations(wb, ledger: Ledger) -> None:
    """Both sides' duties of the agreements signed this year and last, beyond the standard
    terms: the enterprise's funds, the committee's site, the works bureau's permit."""
    rows, names, n = [], ledger.names, 0
    recent = [p for p in ledger.signed() if p["dates"]["已签约"].year >= ledger.as_of.year - 1]
    for p in recent[:14]:
        start, _completion, _production = agreed_dates(ledger, p)
        d, number = p["dates"], _agreement_number(ledger, p)
        funds = round(p["amount"] * 10000 * 0.3)
        land_due = d["已供地"] + DAY * 10 if "已供地" in d else add_months(ledger.as_of, 2)
        duties = [
            ("乙方", "", "资金到位", f"项目固定资产投资资金到位{_money_text(funds)}", funds, "",
             add_months(start, 8), None),
            ("甲方", names.committee, "要素保障", "项目用地“七通一平”并交付", "",
             "完成地块“七通一平”，具备进场施工条件", land_due, d.get("已供地")),
        ]  # fmt: skip
        if "已供地" in d:
            met = d["在建"] - DAY * 5 if "在建" in d else None
            if p["name"] == LATE_START[0]:
                met = ledger.as_of - DAY * 50  # permit issued, the enterprise has not started
            due = max(start - DAY * 10, met or start)
            duties.append(
                ("甲方", names.departments["works"], "政府服务", "协助办理建筑工程施工许可证", "",
                 "施工许可证核发", due, met)
            )  # fmt: skip
        for side, unit, kind, title, target, text, due, met in duties:
            n += 1
            rows.append(
                [n, number, p["name"], side, unit, kind, title, target, text,
                 office_date(due, n), office_date(met, n + 1), ""]
            )  # fmt: skip
    headers = ["序号", "协议编号", "项目名称", "责任方", "责任单位", "义务类别", "义务内容"]
    headers += ["目标值（万元）", "具体要求", "完成时限", "完成日期", "备注"]
    heading = _heading(names, ledger.as_of, "投资协议双方义务清单")
    widths = [6, 18, 30, 8, 24, 10, 30, 12, 30, 12, 12, 16]
    office_sheet(wb, "双方义务", heading, _unit(names, "万元"), headers, rows, widths)


def cases(wb, ledger: Ledger) -> None:
    """The approval cases in flight: applied, materials complete, accepted; one paused for
    the enterprise's supplement, one extended with a leader's approval."""
    rows, names = [], ledger.names
    from zhaoshang.approvals.catalogue import ITEMS

    department_of = {code: dept for code, _n, dept, *_r in ITEMS}
    limit_of = {code: limit for code, _n, _d, _p, _l, limit, *_r in ITEMS}
    for n, (index, code, status, note) in enumerate(L.CASES, start=1):
        p = ledger.projects[index]
        # Accepted in the days before the cut-off (earlier for a longer time limit).
        accepted = _weekday_before(ledger.as_of - DAY * (n % 3 + limit_of[code] // 3))
        complete = _weekday_before(accepted - DAY)
        applied = _weekday_before(complete - DAY * (1 + n % 2))
        step = _weekday_before(min(accepted + DAY, ledger.as_of))  # the pause, the extension
        pause = ["补正材料", office_date(step, n), note] if status == "暂停" else ["", "", ""]
        extension = ["", "", "", ""]
        if status == "延期":
            extension = [office_date(step, n), names.leaders[1], note, 5]
        rows.append(
            [n, p["name"], names.items[code], names.departments[department_of[code]],
             office_date(applied, n), office_date(complete, n + 1), office_date(accepted, n + 2),
             status, *pause, *extension, "" if status != "在办" else note]
        )  # fmt: skip
    headers = ["序号", "项目名称", "审批事项", "承办部门", "申请日期", "材料齐全日期", "受理日期"]
    headers += ["办理状态", "暂停情形", "暂停日期", "暂停原因", "延期日期", "延期批准人"]
    headers += ["延期原因", "延长天数", "备注"]
    heading = _heading(names, ledger.as_of, "重点项目在办审批事项清单")
    widths = [6, 30, 22, 20, 12, 12, 12, 10, 10, 12, 24, 12, 10, 24, 8, 30]
    office_sheet(wb, "在办审批", heading, "填报单位：" + names.bureau, headers, rows, widths)


def _weekday_before(day: datetime.date) -> datetime.date:
    """The day, or the Friday before when it is a weekend (offices accept on weekdays)."""
    return day - DAY * max(0, day.weekday() - 4)


def parcels(wb, ledger: Ledger) -> None:
    rows, names, rng, n = [], ledger.names, random.Random("parcels"), 0
    for p in ledger.projects:
        delivered = p["dates"].get("已供地")
        if delivered is None:
            continue
        n += 1
        park = office_park(names, p["park"])
        price = round(p["land"] * rng.choice([12, 13.5, 15, 16.8]), 2)
        rows.append(
            [
                n,
                f"NC{delivered.year}-{n:02d}",
                f"{park}{chr(64 + n % 6 + 1)}-{n:02d}地块",
                f"{park}{rng.choice(['纬一路', '纬三路', '经二路', '经五路'])}以{rng.choice('东南西北')}",
                park,
                p["land"],
                "工业用地",
                "已供地",
                p["name"],
                office_date(delivered, n),
                price,
                f"{names.district[0]}自然资出让〔{delivered.year}〕{n}号",
                rng.choice([1.2, 1.5, 1.8]),
                "",
            ]
        )
    for name, park_key, area, status in L.RESERVE_PARCELS:
        n += 1
        park = office_park(names, park_key)
        rows.append(
            [
                n,
                f"NC-CB-{n:02d}",
                name,
                park,
                park,
                area,
                "工业用地",
                status,
                "",
                "",
                "",
                "",
                "",
                "招拍挂前期工作中" if status == "储备" else "为在谈项目预留",
            ]
        )
    headers = [
        "序号",
        "地块编号",
        "地块名称",
        "坐落",
        "所属园区",
        "面积（亩）",
        "土地用途",
        "供地状态",
    ]
    headers += ["项目名称", "交地时间", "出让价款（万元）", "出让合同编号", "容积率", "备注"]
    heading = _heading(names, ledger.as_of, "产业用地供地情况台账")
    office_sheet(
        wb,
        "地块",
        heading,
        _unit(names, "亩、万元"),
        headers,
        rows,
        [6, 14, 20, 26, 10, 10, 10, 10, 30, 12, 12, 22, 8, 20],
    )


def _month_ends(ledger: Ledger) -> list[datetime.date]:
    first = ledger.as_of.replace(day=1)
    return [add_months(first, -k) for k in reversed(range(MONTHS))]


def funds_entries(ledger: Ledger, p) -> list[tuple[datetime.date, int, str]]:
    """The funds in place of a project: a few entries after signing, to 90 % of what it has
    invested, the last ones in the months of 月度进展."""
    rng = random.Random(f"funds-{p['no']}")
    signed = p["dates"]["已签约"]
    done = cumulative(ledger, p)[-1]
    total = round(done * 0.9)
    if total < 50:
        return []
    days = sorted(
        signed + DAY * rng.randint(10, max(11, (ledger.as_of - signed).days - 5)) for _ in range(3)
    )
    shares = [0.5, 0.3, 0.2]
    use = ["固定资产投资", "固定资产投资", "流动资金" if p["stage"] == "已投产" else "固定资产投资"]
    return [(d, round(total * s), u) for d, s, u in zip(days, shares, use, strict=True)]


def cumulative(ledger: Ledger, p) -> list[int]:
    """The investment done by the end of each month of 月度进展 (万元)."""
    rng = random.Random(f"cum-{p['no']}")
    share = rng.uniform(*DONE_SHARE[p["stage"]])
    final = p["amount"] * 10000 * share
    step = rng.uniform(0.03, 0.09) if p["stage"] in ("在建", "已投产") else 0.2
    return [round(final * max(0.0, 1 - step * k)) for k in reversed(range(MONTHS))]


def monthly(wb, ledger: Ledger) -> None:
    rows, names, n = [], ledger.names, 0
    ends = _month_ends(ledger)
    for p in ledger.signed():
        signed = p["dates"]["已签约"]
        figures, entries = cumulative(ledger, p), funds_entries(ledger, p)
        before = round(figures[0] * 0.93)
        for month, cum in zip(ends, figures, strict=True):
            if month < signed.replace(day=1):
                before = cum
                continue
            n += 1
            got = sum(a for d, a, _u in entries if (d.year, d.month) == (month.year, month.month))
            producing = p["stage"] == "已投产" and month >= p["dates"]["已投产"].replace(day=1)
            output = round(p["amount"] * 10000 * 1.4 / 12) if producing else ""
            tax = round(output * 0.04) if producing else ""
            rows.append(
                [
                    n,
                    p["name"],
                    f"{month.year}年{month.month}月",
                    max(cum - before, 0),
                    cum,
                    got or "",
                    output,
                    tax,
                    L.PROGRESS_WORDS[p["stage"]],
                    "",
                ]
            )
            before = cum
    headers = ["序号", "项目名称", "月份", "当月完成投资（万元）", "累计完成投资（万元）"]
    headers += [
        "当月到位资金（万元）",
        "当月产值（万元）",
        "当月税收（万元）",
        "形象进度",
        "存在问题",
    ]
    heading = _heading(names, ledger.as_of, "重点项目月度推进情况")
    office_sheet(
        wb,
        "月度进展",
        heading,
        _unit(names, "万元"),
        headers,
        rows,
        [6, 30, 12, 14, 14, 14, 12, 12, 24, 24],
    )


def funds(wb, ledger: Ledger) -> None:
    rows, names, n = [], ledger.names, 0
    for p in ledger.signed():
        origin = FUNDS_ORIGIN[p["enterprise"][1]]
        for day, amount, use in funds_entries(ledger, p):
            n += 1
            rows.append([n, p["name"], office_date(day, n), amount, origin, use, ""])
    headers = ["序号", "项目名称", "到位时间", "到位金额（万元）", "资金来源", "资金用途", "备注"]
    heading = _heading(names, ledger.as_of, "招商引资项目到位资金台账")
    office_sheet(
        wb, "到位资金", heading, _unit(names, "万元"), headers, rows, [6, 30, 12, 14, 14, 14, 20]
    )


def team(wb, ledger: Ledger) -> None:
    """One row a person on a project's team, as the office's 包抓责任表 lists them."""
    rows, names, n = [], ledger.names, 0
    for p in ledger.signed():
        since = p["dates"]["已签约"] + DAY * 3
        for role, person in (("项目经理", p["leader"]), ("项目秘书", p["secretary"]),
                             ("服务专员", p["officer"])):  # fmt: skip
            n += 1
            rows.append([n, p["name"], role, person, office_date(since, n), ""])
    headers = ["序号", "项目名称", "团队角色", "姓名", "到岗日期", "备注"]
    heading = _heading(names, ledger.as_of, "重点项目包抓责任落实表")
    office_sheet(
        wb, "项目团队", heading, "填报单位：" + names.bureau, headers, rows, [6, 30, 12, 10, 12, 20]
    )
