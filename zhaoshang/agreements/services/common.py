"""What the agreements services share: every error at once, and an uploaded file's digest."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError


def raise_errors(errors: dict) -> None:
    """Refuse with every error found, by field (nothing is saved)."""
    if errors:
        raise ValidationError(errors)


def file_digest(uploaded) -> str:
    """The SHA-256 of an uploaded file (read in chunks; the file is rewound)."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()
