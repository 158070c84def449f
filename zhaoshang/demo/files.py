"""Tiny but valid files for the demo document library: a one-page PDF and a small PNG.

They pass the upload checks (``core.validators.validate_upload`` looks at the leading bytes)
and open in a browser, while keeping the demo's media folder a few hundred kilobytes.
"""

from __future__ import annotations

import struct
import zlib


def _pdf_escape(text: str) -> str:
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF 1.4 showing ``lines`` (ASCII) in Helvetica, with a correct xref."""
    text_ops = ["BT", "/F1 12 Tf", "16 TL", "56 780 Td"]
    for i, line in enumerate(lines):
        text_ops.append(("" if i == 0 else "T* ") + f"({_pdf_escape(line)}) Tj")
    text_ops.append("ET")
    content = "\n".join(text_ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + tag
        + data
        + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    )


def tiny_png(progress: float, hue: int = 0, width: int = 160, height: int = 100) -> bytes:
    """A small site picture: sky, ground, and a grey block (the building) whose height
    follows ``progress`` (0–1); ``hue`` shifts the sky colour so pictures differ."""
    progress = max(0.0, min(1.0, progress))
    sky = (120 + hue % 60, 170 + hue % 40, 225)
    ground = (150, 120, 80)
    building = (140, 140, 150)
    horizon = int(height * 0.7)
    top = horizon - int((horizon - 10) * progress)
    left, right = width // 4, width * 3 // 4
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            if y >= horizon:
                colour = ground
            elif y >= top and left <= x < right:
                colour = building
            else:
                colour = sky
            row += bytes(colour)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _png_chunk(b"IEND", b"")
    )
