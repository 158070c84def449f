"""Matching a district's header names (and values) to ours: normalized keys and scores.

Shared by ``sources.guess_header_row`` and ``mapping.suggest_columns`` /
``mapping.suggest_values``: a header is folded (NFKC, no white space, case folded, the
template's required mark “*” dropped); its unit in brackets can be set aside (“总投资（亿元）”
reads as “总投资”); the last part of a joined header (“计划投资/总投资”) counts on its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from zhaoshang.core.imports.parsers import Column, cell_text, normalize_key

# A part in brackets: the unit or a note (“（亿元）”, “[万元]”, “【必填】”), after NFKC.
_BRACKETS = re.compile(r"[(\[【〔<《][^)\]】〕>》]*[)\]】〕>》]")
# A unit written after the name: “总投资 单位:万元”, “总投资/万元”.
_TRAILING_UNIT = re.compile(
    r"(?:(?:单位[:：]?|/)(?:人民币)?(?:亿元|万元|千元|元|亩|平方米|㎡|万平方米))$|(?:亿元|万元)$"
)

EXACT, BARE, LAST_PART, LAST_BARE = 100, 90, 85, 80
CONTAINED = 40  # + up to 20 by how much of the longer name the shorter one covers
THRESHOLD = 40


def header_key(value: Any) -> str:
    """A header cell as a lookup key."""
    text = normalize_key(cell_text(value))
    return text.strip("*:：")


def bare(key: str) -> str:
    """A header key without its unit or note in brackets, or its unit written after it."""
    text = _BRACKETS.sub("", key)
    stripped = _TRAILING_UNIT.sub("", text)
    return (stripped or text).strip("*:：/")


def column_names(column: Column) -> set[str]:
    """Every key the column answers to: its labels in every language, its key, its
    aliases, each with and without its unit."""
    names = {header_key(n) for n in column.header_names()}
    return {n for n in names | {bare(n) for n in names} if n}


def names_by_key(columns: Iterable[Column]) -> dict[str, set[str]]:
    return {column.key: column_names(column) for column in columns}


def header_forms(header: Any) -> tuple[str, str, str, str]:
    """The forms of a header a column's names are compared with: the key, the key without
    its unit, and the same of its last part after “/” (empty when there is none)."""
    key = header_key(header)
    stripped = bare(key)
    last = key.rsplit("/", 1)[1] if "/" in key else ""
    return key, stripped, last, bare(last) if last else ""


def header_score(header: Any, names: set[str], forms: tuple | None = None) -> int:
    """How well a header names a column (0: not at all); ``forms``: ``header_forms`` of it,
    when the caller compares one header with many columns."""
    key, stripped, last, last_bare = forms or header_forms(header)
    if not key:
        return 0
    if key in names:
        return EXACT
    if stripped in names:
        return BARE
    if last:
        if last in names:
            return LAST_PART
        if last_bare and last_bare in names:
            return LAST_BARE
        stripped = last_bare or stripped
    return contained_score(stripped, names)


def contained_score(text: str, names: Iterable[str]) -> int:
    """A name inside the header or the header inside a name (two characters at least)."""
    best = 0
    size = len(text)
    if size < 2:
        return 0
    for name in names:
        if len(name) < 2:
            continue
        if size <= len(name):
            if text in name:
                best = max(best, CONTAINED + round(20 * size / len(name)))
        elif name in text:
            best = max(best, CONTAINED + round(20 * len(name) / size))
    return best


def similarity(theirs: str, ours: str) -> float:
    """How alike two normalized values are, 0 .. 1: one inside the other, the characters of
    the shorter in order in the longer (“高新园” in “高新技术产业园”), or alike enough."""
    if not theirs or not ours:
        return 0.0
    if theirs == ours:
        return 1.0
    short, long = sorted((theirs, ours), key=len)
    cover = len(short) / len(long)
    if len(short) >= 2 and short in long:
        return 0.7 + 0.25 * cover
    if len(short) >= 2 and short[0] == long[0] and _in_order(short, long):
        return 0.5 + 0.25 * cover
    ratio = difflib.SequenceMatcher(None, theirs, ours).ratio()
    return 0.6 * ratio if ratio >= 0.6 else 0.0


def _in_order(short: str, long: str) -> bool:
    chars = iter(long)
    return all(c in chars for c in short)


def best_match(theirs: str, candidates: Iterable[tuple[str, Any]], floor: float = 0.45):
    """The value of the candidate (name, value) most like ``theirs``, or None when none is
    alike enough or two different values are equally alike."""
    best, found = 0.0, set()
    for name, value in candidates:
        score = similarity(theirs, name)
        if score < floor:
            continue
        if score > best:
            best, found = score, {value}
        elif score == best:
            found.add(value)
    return next(iter(found)) if len(found) == 1 else None
