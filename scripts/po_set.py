"""Set zh-hans translations in the catalogue from a JSON object {msgid: msgstr}; clears the
fuzzy flag and the previous-msgid comments of the entries it sets.

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


def main() -> None:
    wanted: dict[str, str] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    blocks = re.split(r"\n\s*\n", PO.read_text(encoding="utf-8"))
    done = set()
    out = []
    for block in blocks:
        lines = block.splitlines()
        body = [line for line in lines if not line.startswith("#")]
        match = re.match(r'msgid "(.*)"$', body[0]) if body else None
        msgid = None
        if match:
            rest = []
            for line in body[1:]:
                if line.startswith('"'):
                    rest.append(line[1:-1])
                else:
                    break
            msgid = (
                (match.group(1) + "".join(rest))
                .encode()
                .decode("unicode_escape")
                .encode("latin-1")
                .decode("utf-8")
            )
        plural: list[str] = []
        for i, line in enumerate(body):
            if line.startswith("msgid_plural"):
                plural = [line]
                for more in body[i + 1 :]:
                    if not more.startswith('"'):
                        break
                    plural.append(more)
        if msgid in wanted:
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
                translated.append(f"msgstr[0] {quote(wanted[msgid])}")
            else:
                translated = [f"msgstr {quote(wanted[msgid])}"]
            block = "\n".join([*comments, *flags, f"msgid {quote(msgid)}", *translated])
            done.add(msgid)
        out.append(block)
    PO.write_text("\n\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
    missing = set(wanted) - done
    print(f"set {len(done)} entries" + (f"; not found: {sorted(missing)}" if missing else ""))


if __name__ == "__main__":
    main()
