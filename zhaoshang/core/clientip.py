"""The client's address, read the same way by every limit (log-in lock-out, API throttles,
the verification-code check).

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each proxy appends the address it received
the request from to ``X-Forwarded-For``; the client is therefore the address the outermost
trusted proxy appended: the N-th from the right. Anything further left was written by the
client itself and is never believed. With no trusted proxy (the default) the header is
ignored and ``REMOTE_ADDR`` is the client, so a forged header cannot dodge a limit.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address the limits count against; ``None`` when none can be read (a request made
    in-process, e.g. ``Client.force_login``: axes stores it in an address column)."""
    meta = request.META
    remote = _valid(meta.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    header = meta.get("HTTP_X_FORWARDED_FOR") or ""
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request entered through an inner proxy, whose entry
    # (the left-most) is the client it saw.
    candidate = forwarded[-min(proxies, len(forwarded))]
    return _valid(candidate) or remote
