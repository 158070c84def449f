"""Data tables of the demo city 锦川市: its two districts, their people, enterprises and the
words projects are described with, read from ``data/names.json``. Everything there is
fictional; names of real companies are avoided on purpose. The builder (builder.py) turns
these tables into records.

Text meant for users (names, reasons, progress) is Chinese with full-width punctuation, as a
district's staff would type it. Each table of the file is a module attribute here
(``names.SURNAMES``, ``names.DEMO_ENTERPRISES`` …); its rows are JSON arrays.
"""

from __future__ import annotations

import json
from pathlib import Path

CITY = "锦川市"
PASSWORD = "Demo@2026"

DATA = Path(__file__).resolve().parent / "data"


def load(name: str) -> dict:
    """One of the demo's data files (``data/<name>.json``)."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


globals().update(load("names"))
