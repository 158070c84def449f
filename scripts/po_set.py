"""Set zh-hans translations in the catalogue from a JSON object {msgid: msgstr}
(``"context\\u0004msgid"`` for a pgettext entry; a list for a plural, its first form used);
clears the fuzzy flag and the previous-msgid comments of the entries it sets.

Usage: .venv/bin/python scripts/po_set.py translations.json
Then: make messages (compiles the .mo).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "zhaoshang/locale/zh_Hans/LC_MESSAGES/django.po"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _continued(body: list[str]) -> int:
    """How many lines the first entry of ``body`` spans (its keyword line and continuations)."""
    n = 1
    while n < len(body) and body[n].startswith('"'):
        n += 1
    return n


def _read(body: list[str], keyword: str) -> str:
    """The text of ``keyword "..."`` at the head of ``body``, with its continuation lines."""
    first = body[0][len(keyword) + 1 :]
    parts = [first[1:-1], *(line[1:-1] for line in body[1 : _continued(body)])]
    return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def main() -> None:
    wanted: dict[str, str] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    blocks = re.split(r"\n\s*\n", PO.read_text(encoding="utf-8"))
    done = set()
    out = []
    for block in blocks:
        lines = block.splitlines()
        body = [line for line in lines if not line.startswith("#")]
        context = None
        if body and body[0].startswith("msgctxt "):
            context, body = _read(body, "msgctxt"), body[_continued(body) :]
        msgid = _read(body, "msgid") if body and body[0].startswith("msgid ") else None
        key = msgid if context is None or msgid is None else f"{context}\x04{msgid}"
        plural: list[str] = []
        for i, line in enumerate(body):
            if line.startswith("msgid_plural"):
                plural = [line]
                for more in body[i + 1 :]:
                    if not more.startswith('"'):
                        break
                    plural.append(more)
        if key in wanted:
            value = wanted[key]
            value = value[0] if isinstance(value, list) else value
            comments = [
                line for line in lines if line.startswith("#") and not line.startswith(("#,", "#|"))
            ]
            flags = [
                line.replace(" fuzzy,", "").replace(", fuzzy", "")
                for line in lines
                if line.startswith("#,")
            ]
            flags = [f for f in flags if f.strip() not in ("#,", "#, fuzzy")]
            if plural:  # zh-hans has one plural form: msgstr[0]
                translated = [*plural]
                translated.append(f"msgstr[0] {quote(value)}")
            else:
                translated = [f"msgstr {quote(value)}"]
            head = [] if context is None else [f"msgctxt {quote(context)}"]
            block = "\n".join([*comments, *flags, *head, f"msgid {quote(msgid)}", *translated])
            done.add(key)
        out.append(block)
    PO.write_text("\n\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
    missing = set(wanted) - done
    print(f"set {len(done)} entries" + (f"; not found: {sorted(missing)}" if missing else ""))


if __name__ == "__main__":
    main()
