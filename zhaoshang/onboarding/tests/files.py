"""Small ledgers as an office keeps them, built in the tests: a title row, a merged header
(计划投资 over two columns), 序号 and 备注, amounts in 亿元, dates written as text."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (序号, 项目名称, 所属园区, 总投资（亿元）, 固定资产投资（亿元）, 备注)
PROJECTS = [
    (1, "智能装备产业基地", "装备园", "1.5", "1.2", "重点项目"),
    (2, "精密轴承生产线", "装备制造产业园", "0.8", "0.6", ""),
    (3, "休闲食品加工厂", "食品园", "2", "1.6", "外资"),
]


def ledger_xlsx(projects=PROJECTS, *, sheet: str = "项目台账") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws["A1"] = "某区招商引资项目台账（2026年6月）"
    ws.merge_cells("A1:F1")
    for col, name in zip("ABCF", ("序号", "项目名称", "所属园区", "备注"), strict=True):
        ws[f"{col}2"] = name
        ws.merge_cells(f"{col}2:{col}3")
    ws["D2"] = "计划投资"
    ws.merge_cells("D2:E2")
    ws["D3"] = "总投资（亿元）"
    ws["E3"] = "固定资产投资（亿元）"
    for i, row in enumerate(projects, start=4):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    ws.cell(row=4 + len(projects), column=2, value="合计")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    kind = XLSX if name.endswith(".xlsx") else "text/csv"
    return SimpleUploadedFile(name, content, content_type=kind)


def enterprises_csv() -> bytes:
    """A GB 18030 CSV of enterprises, as an office's older tools save it: their words for
    where the investor comes from (本地, 省外)."""
    from zhaoshang.enterprises.creditcode import make_credit_code

    lines = [
        "序号,企业名称,统一社会信用代码,企业来源,备注",
        f"1,东城精工有限公司,{make_credit_code('915101006CAAA0001')},本地,新设",
        f"2,西岭食品有限公司,{make_credit_code('915101006CBBB0002')},省外,",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")
