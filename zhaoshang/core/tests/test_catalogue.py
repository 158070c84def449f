"""The zh-hans catalogue is complete: every translatable string in code and templates has a
Chinese translation, none fuzzy, and the compiled .mo matches the .po."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text: str):
    """(msgid, [msgstr…], flags) for every entry but the header."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        ids = re.search(r'^msgid ((?:".*"\n?)+)', body, re.M)
        if not ids:
            continue
        msgid = "".join(re.findall(r'"(.*)"', ids.group(1)))
        strs = [
            "".join(re.findall(r'"(.*)"', m.group(2)))
            for m in re.finditer(r'^msgstr(\[\d\])? ((?:".*"\n?)+)', body + "\n", re.M)
        ]
        if msgid:
            entries.append((msgid, strs, flags))
    return entries


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = _entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 300
    untranslated = [m for m, strs, _f in entries if not strs or not all(s.strip() for s in strs)]
    fuzzy = [m for m, _s, flags in entries if "fuzzy" in flags]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_the_catalogue_has_every_string_of_the_code(tmp_path):
    """makemessages over a copy of the package finds nothing the catalogue lacks."""
    copy = tmp_path / "zhaoshang"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo", "tests")
    )
    settings = tmp_path / "catalogue_settings.py"
    settings.write_text(
        f"from zhaoshang.settings import *  # noqa\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n",
        encoding="utf-8",
    )
    env = {
        "PYTHONPATH": f"{tmp_path}:{PACKAGE.parent}",
        "DJANGO_SETTINGS_MODULE": "catalogue_settings",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
            "-i",
            "static/*",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    fresh = _entries((copy / "locale/zh_Hans/LC_MESSAGES/django.po").read_text("utf-8"))
    missing = [
        m for m, strs, flags in fresh if "fuzzy" in flags or not all(s.strip() for s in strs)
    ]
    assert not missing, f"run `make messages` and translate: {missing[:15]}"


def test_the_compiled_catalogue_is_current(tmp_path):
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(out), str(PO)], check=True, timeout=60)
    assert out.read_bytes() == PO.with_suffix(".mo").read_bytes(), (
        "run `make messages` to recompile"
    )
