"""The kinds of records a district's ledger brings in, in the order they are imported.

Each importer lives in its domain app and is imported lazily by its dotted path: a kind whose
module is not importable (yet) is left out, so the wizard works with whatever exists. The
sheet names an office gives each kind let the wizard suggest the kind of a sheet by its name.
"""

from __future__ import annotations

import importlib
from functools import cache

from zhaoshang.core.imports import normalize_key

WORKBOOK = "workbook"  # an upload holding one sheet per kind

# (kind, dotted path of the importer class, sheet names that identify the kind)
IMPORTERS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "enterprises",
        "zhaoshang.enterprises.imports.EnterpriseImporter",
        ("企业", "企业台账", "企业清单", "企业名录", "企业信息"),
    ),
    (
        "projects",
        "zhaoshang.projects.imports.ProjectImporter",
        ("项目", "项目台账", "项目清单", "项目库", "项目信息", "招商项目"),
    ),
    (
        "team",
        "zhaoshang.projects.imports_team.TeamImporter",
        ("团队", "专班", "项目专班", "项目团队", "包抓领导", "服务专班"),
    ),
    (
        "agreements",
        "zhaoshang.agreements.imports.AgreementImporter",
        ("协议", "投资协议", "协议台账", "合同", "签约协议"),
    ),
    (
        "obligations",
        "zhaoshang.agreements.imports.ObligationImporter",
        ("协议义务", "双方义务", "义务", "协议条款", "履约事项"),
    ),
    (
        "cases",
        "zhaoshang.approvals.imports.CaseImporter",
        ("审批", "在办事项", "审批事项", "审批台账", "办件"),
    ),
    (
        "parcels",
        "zhaoshang.land.imports.ParcelImporter",
        ("地块", "土地", "土地台账", "用地", "地块台账"),
    ),
    (
        "monthly",
        "zhaoshang.projects.imports_figures.MonthlyReportImporter",
        ("月度进展", "月报", "月度报告", "进展", "月度"),
    ),
    (
        "funds",
        "zhaoshang.projects.imports_figures.FundsImporter",
        ("到位资金", "资金到位", "资金", "到位"),
    ),
]

KINDS = [kind for kind, _path, _names in IMPORTERS]


def _load(path: str):
    module_name, _dot, name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, name, None)


@cache
def _available() -> tuple[tuple[str, type], ...]:
    found = []
    for kind, path, _names in IMPORTERS:
        cls = _load(path)
        if cls is not None:
            found.append((kind, cls))
    return tuple(found)


def available() -> list[tuple[str, type]]:
    """(kind, importer class) of every importable kind, in import order."""
    found = _available()
    if not found:  # nothing yet: try again next time (a module may appear in development)
        _available.cache_clear()
    return list(found)


def importer_class(kind: str):
    """The importer class of a kind, or None when it is not available."""
    return dict(available()).get(kind)


def order_of(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def label_of(kind: str) -> str:
    """How the kind reads: its importer's sheet title."""
    cls = importer_class(kind)
    return str(cls.sheet_title) if cls is not None else kind


def kind_by_sheet_name(name: str) -> str | None:
    """The kind a sheet's name identifies: an exact name first, then a name it contains."""
    key = normalize_key(name or "")
    if not key:
        return None
    kinds = dict(available())
    for kind, _path, names in IMPORTERS:
        if kind in kinds and key in {normalize_key(n) for n in names}:
            return kind
    best = None
    for kind, _path, names in IMPORTERS:
        if kind not in kinds:
            continue
        for n in names:
            n = normalize_key(n)
            if n in key and (best is None or len(n) > best[1]):
                best = (kind, len(n))
    return best[0] if best else None
