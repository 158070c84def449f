"""Tiny but valid files for the demo document library: a one-page PDF and a small PNG.

They pass the upload checks (``core.validators.validate_upload`` looks at the leading bytes)
and open in a browser, while keeping the demo's media folder a few hundred kilobytes.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF 1.4 showing ``lines`` (ASCII) in Helvetica, with a correct xref."""
    text_ops = ["BT", "/F1 12 Tf", "16 TL", "56 780 Td"]
    for i, line in enumerate(lines):
        text = line.encode("ascii", "replace").decode("ascii")
        text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_ops.append(("" if i == 0 else "T* ") + f"({text}) Tj")
    content = "\n".join([*text_ops, "ET"]).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at, size = len(out), len(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    return bytes(out)


def tiny_png(progress: float, hue: int = 0, width: int = 160, height: int = 100) -> bytes:
    """A small site picture: sky, ground, and a grey block (the building) whose height
    follows ``progress`` (0–1); ``hue`` shifts the sky colour so pictures differ."""
    progress = max(0.0, min(1.0, progress))
    horizon = int(height * 0.7)
    top = horizon - int((horizon - 10) * progress)
    picture = Image.new("RGB", (width, height), (120 + hue % 60, 170 + hue % 40, 225))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, horizon, width, height), fill=(150, 120, 80))  # the ground
    if top < horizon:
        draw.rectangle((width // 4, top, width * 3 // 4 - 1, horizon - 1), fill=(140, 140, 150))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()
