"""Mapping a district's own sheet to an importer: its columns to our fields, the units of its
amounts, its values to our choices and records; saved per district and kind for next time.

``suggest_columns`` matches the header names (in Chinese, as offices write them) against
each column's labels, key and aliases: the district's saved mapping first, then exact
matches, then the header without its unit (“总投资（亿元）” → “总投资”), then one name inside
the other; the best score wins and each of our columns is used once. ``suggest_values``
does the same for the values of a choice column (our labels in every language, the
choice's aliases) and of a reference column (the district's records by name or code, and
alike names: their “高新园” is our “高新技术产业园”). ``build_rows`` turns the grid into the
importer's rows, the mapped values substituted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from zhaoshang.core.imports.headers import (
    THRESHOLD,
    best_match,
    header_forms,
    header_key,
    header_score,
    names_by_key,
)
from zhaoshang.core.imports.importer import Row
from zhaoshang.core.imports.parsers import (
    UNITS,
    Choice,
    Column,
    Ref,
    RefList,
    cell_text,
    normalize_key,
)

# Cells that say "nothing here" in an office's sheet: a dash or a slash.
BLANKS = {"-", "--", "—", "——", "/", "\\", "－", "―"}


# --- columns -------------------------------------------------------------------------------


def _saved(saved, part: str) -> dict:
    if saved is None:
        return {}
    if isinstance(saved, dict):
        return dict(saved.get(part) or {})
    return dict(getattr(saved, part, None) or {})


def suggest_columns(importer_class, headers: Sequence[Any], saved=None) -> list[str | None]:
    """Our column key for each of their columns, or None (序号, 备注 and the like, unless a
    column of ours takes them). ``saved``: the district's ImportMapping (or its fields as a
    dict), whose choices come first — a header mapped to nothing there stays unmapped."""
    names = names_by_key(importer_class.columns)
    order = {key: i for i, key in enumerate(names)}
    result: list[str | None] = [None] * len(headers)
    decided, used = set(), set()
    saved_columns = _saved(saved, "columns")
    for i, header in enumerate(headers):
        key = header_key(header)
        if key and key in saved_columns:
            choice = saved_columns[key]
            if not choice:
                decided.add(i)
            elif choice in names and choice not in used:
                result[i] = choice
                decided.add(i)
                used.add(choice)
    candidates = []
    for i, header in enumerate(headers):
        if i in decided:
            continue
        forms = header_forms(header)
        for key, column_names in names.items():
            if key in used:
                continue
            score = header_score(header, column_names, forms)
            if score >= THRESHOLD:
                candidates.append((-score, i, order[key], key))
    for _score, i, _order, key in sorted(candidates):
        if result[i] is None and key not in used:
            result[i] = key
            used.add(key)
    return result


_HUNDRED_MILLION = re.compile(r"亿元|亿人民币|\(亿\)|/亿$|单位:?亿")
# (千万元 and 千元 before 万元 and 元: “（千万元）” is no column in 万元)
_TEN_MILLION = re.compile(r"千万元|千万人民币|\(千万\)|/千万$|单位:?千万")
_TEN_THOUSAND = re.compile(r"万元|万人民币|\(万\)|/万$|单位:?万")
_THOUSAND = re.compile(r"千元|\(千\)|/千$|单位:?(?:人民币)?千元")
_YUAN = re.compile(r"\((?:人民币)?元\)|/元$|单位:?(?:人民币)?元|^金额元$|人民币元")


def suggest_unit(header: Any) -> str | None:
    """The unit an amount column's header names: "100m" (亿元), "10m" (千万元), "10k" (万元),
    "1k" (千元), "yuan" (元), or None."""
    key = header_key(header)
    if _HUNDRED_MILLION.search(key):
        return "100m"
    if _TEN_MILLION.search(key):
        return "10m"
    if _TEN_THOUSAND.search(key):
        return "10k"
    if _THOUSAND.search(key):
        return "1k"
    if _YUAN.search(key):
        return "yuan"
    return None


def sheet_unit(grid, header_row: int) -> str | None:
    """A unit noted above the header for the whole sheet (“单位：亿元”), or None."""
    for row in grid.cells[:header_row]:
        for value in row:
            key = header_key(value)
            if "单位" in key:
                unit = suggest_unit(key[key.index("单位") :])
                if unit:
                    return unit
    return None


# --- values --------------------------------------------------------------------------------


def choice_columns(importer) -> list[Column]:
    """The columns whose values are mapped: choices and references (one record a cell)."""
    return [
        c
        for c in importer.columns
        if isinstance(c.parse, Choice)
        or (isinstance(c.parse, Ref) and not isinstance(c.parse, RefList))
    ]


def _distinct(values: Iterable[Any]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value is None:
            continue
        text = cell_text(value).strip()
        if text and normalize_key(text) not in BLANKS:
            seen.setdefault(text, None)
    return list(seen)


def _choice_targets(parse: Choice) -> tuple[dict[str, str], list[tuple[str, str]]]:
    index = parse.names()
    return index, list(index.items())


def _ref_targets(importer, parse: Ref) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Each record's keys → the text that names it unambiguously (its label, else a key)."""
    lookup = importer.lookup_for(parse)
    index: dict[str, str] = {}
    for key, found in lookup.index.items():
        if len(found) != 1:
            continue
        obj = found[0]
        label = str(parse.label(obj))
        if lookup.index.get(normalize_key(label)) != [obj]:
            label = next(
                (k for k in parse.keys(obj) if k and lookup.index.get(normalize_key(k)) == [obj]),
                label,
            )
        index[key] = label
    return index, list(index.items())


def suggest_values(
    importer, column: Column, values: Iterable[Any], saved=None
) -> dict[str, str | None]:
    """Their value → our stored value (a choice) or the record's label (a reference), or
    None when nothing is alike enough. The district's saved values come first; then our
    labels, codes and aliases; then alike names."""
    parse = column.parse
    if isinstance(parse, Choice):
        index, candidates = _choice_targets(parse)
        valid = {m.value for m in parse.enum}
    elif isinstance(parse, Ref):
        index, candidates = _ref_targets(importer, parse)
        valid = {normalize_key(v) for v in index.values()}
    else:
        return {}
    saved_values = {
        normalize_key(k): v
        for k, v in (_saved(saved, "values").get(column.key) or {}).items()
        if v not in (None, "")
    }
    result: dict[str, str | None] = {}
    for text in _distinct(values):
        key = normalize_key(text)
        ours = saved_values.get(key)
        if (
            ours is not None
            and (ours if isinstance(parse, Choice) else normalize_key(ours)) in valid
        ):
            result[text] = ours
        elif key in index:
            result[text] = index[key]
        else:
            result[text] = best_match(key, candidates)
    return result


# --- rows ----------------------------------------------------------------------------------


def build_rows(
    grid, header_row: int, columns: Sequence[str | None], values: dict | None = None
) -> list[Row]:
    """The importer's rows: ``Row.raw`` keyed by our column key (``columns``: one per
    source column, None for a column not imported), their values replaced by ours
    (``values``: {column key: {their value: ours}}), ``Row.number`` the sheet's row
    number. A dash or a slash reads as empty; a row with nothing in the mapped columns
    (a 序号 alone) is no record."""
    from zhaoshang.core.imports.sources import data_rows

    maps = {
        key: {normalize_key(k): v for k, v in (mapped or {}).items() if v not in (None, "")}
        for key, mapped in (values or {}).items()
    }
    rows = []
    for number, cells in data_rows(grid, header_row):
        raw: dict[str, Any] = {}
        for i, key in enumerate(columns):
            if not key:
                continue
            value = cells[i] if i < len(cells) else None
            if key in maps and value is not None:
                value = maps[key].get(normalize_key(cell_text(value)), value)
            if isinstance(value, str) and len(value) <= 2 and value in BLANKS:
                value = None
            if raw.get(key) is None:
                raw[key] = value
        if any(v is not None for v in raw.values()):
            rows.append(Row(number=number, raw=raw))
    return rows


# --- the district's saved mapping ----------------------------------------------------------


def saved_mapping(district, kind: str):
    """The district's ImportMapping of ``kind``, or None."""
    from zhaoshang.core.models import ImportMapping

    return ImportMapping.objects.filter(district=district, kind=kind).first()


def save_mapping(
    district,
    kind: str,
    user,
    headers: Sequence[Any],
    columns: Sequence[str | None],
    units: dict[str, str] | None = None,
    values: dict[str, dict[str, str | None]] | None = None,
):
    """Remember how this sheet mapped, merged into what the district saved before: each
    header's column ("" for a header left out), each amount column's unit, each value's
    choice (a value left unmapped is forgotten)."""
    from django.db import IntegrityError, transaction

    from zhaoshang.core import clock
    from zhaoshang.core.models import ImportMapping

    try:
        with transaction.atomic():
            mapping, _created = ImportMapping.objects.select_for_update().get_or_create(
                district=district, kind=kind
            )
    except IntegrityError:  # saved meanwhile by another upload
        mapping = ImportMapping.objects.get(district=district, kind=kind)
    saved_columns = dict(mapping.columns or {})
    for header, key in zip(headers, columns, strict=False):
        name = header_key(header)
        if name:
            saved_columns[name] = key or ""
    saved_units = dict(mapping.units or {})
    saved_units.update({k: u for k, u in (units or {}).items() if u in UNITS})
    saved_values = {k: dict(v) for k, v in (mapping.values or {}).items()}
    for key, mapped in (values or {}).items():
        entry = saved_values.setdefault(key, {})
        for theirs, ours in (mapped or {}).items():
            name = normalize_key(theirs)
            if ours in (None, ""):
                entry.pop(name, None)
            else:
                entry[name] = ours
    mapping.columns, mapping.units, mapping.values = saved_columns, saved_units, saved_values
    mapping.updated_by, mapping.updated_at = user, clock.now()
    mapping.save()
    return mapping
