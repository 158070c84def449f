"""The words of the demo city 锦川市 (``data/names.json``, each table a module attribute:
``names.SURNAMES`` …) and ``load`` for the other data files. Everything there is fictional;
names of real companies are avoided on purpose. Text meant for users is Chinese with
full-width punctuation, as a district's staff would type it."""

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
