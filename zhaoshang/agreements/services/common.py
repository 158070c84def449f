"""What the agreements services share: an uploaded file's digest (the rows just written
handed to the caller are core.services.hand_over; every error at once is
core.services.raise_errors)."""

from __future__ import annotations

import hashlib


def file_digest(uploaded) -> str:
    """The SHA-256 of an uploaded file (read in chunks; the file is rewound)."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()
