"""What the agreements services share: an uploaded file's digest, and the rows just
written handed to the caller (every error at once is core.services.raise_errors)."""

from __future__ import annotations

import hashlib


def file_digest(uploaded) -> str:
    """The SHA-256 of an uploaded file (read in chunks; the file is rewound)."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def hand_over(instance, name: str, rows, key) -> None:
    """Give ``instance`` the ``rows`` of its relation ``name`` just written, ordered by
    ``key``, as ``prefetch_related`` leaves them: the caller reads them without a query."""
    held = getattr(instance, name).all()
    held._result_cache = sorted(rows, key=key)
    held._prefetch_done = True
    instance._prefetched_objects_cache = {name: held}
