"""The public check of a verification code (扫码入企) and its guard against guessing.

A code is valid from the approval of its request until ``CODE_GRACE_DAYS`` natural days
after the visit date (a visit may run a little late); a cancelled request's codes are
withdrawn. The answer tells the enterprise only what it needs at the door: the verdict,
its own name, the date, the kind, the department(s) and the inspectors. Failed look-ups
are counted per client address (``core.clientip.client_ip``) in the shared ``limits`` cache,
so every server process sees the same count; past the limit every look-up of that address
is refused (429) until the window ends.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches

from zhaoshang.core import clock
from zhaoshang.inspections.choices import CODE_ALPHABET, CODE_LENGTH, RequestStatus, Verdict

_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize_code(raw: str) -> str:
    """Upper-case, without dashes or spaces; O/I/L read as 0/1 (Crockford)."""
    cleaned = "".join(ch for ch in (raw or "").upper() if not ch.isspace() and ch != "-")
    return cleaned.translate(_CONFUSABLE)


def _well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


@dataclass
class Department:
    pk: int
    name: str
    kind: str
    people: str


@dataclass
class Verification:
    verdict: str
    visit: object = None
    departments: list[Department] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return self.verdict == Verdict.VALID


def lookup(raw: str, today: datetime.date | None = None) -> Verification:
    from zhaoshang.inspections.models import InspectionVisit

    code = normalize_code(raw)
    if not _well_formed(code):
        return Verification(Verdict.UNKNOWN)
    visit = (
        InspectionVisit.objects.select_related("request__department", "enterprise", "joint")
        .filter(code=code)
        .first()
    )
    if visit is None or visit.request.status not in (
        RequestStatus.APPROVED,
        RequestStatus.CANCELLED,
    ):
        return Verification(Verdict.UNKNOWN)
    today = today or clock.today()
    if visit.request.status == RequestStatus.CANCELLED:
        return Verification(Verdict.WITHDRAWN, visit)
    verdict = Verdict.EXPIRED if today > visit.valid_until else Verdict.VALID
    partners = [visit]
    if visit.joint_id:
        partners = list(
            InspectionVisit.objects.filter(
                joint_id=visit.joint_id, request__status=RequestStatus.APPROVED
            )
            .select_related("request__department")
            .order_by("id")
        )
    departments = [
        Department(
            v.request.department_id,
            v.request.department.name,
            v.request.get_kind_display(),
            v.request.people,
        )
        for v in partners
    ]
    return Verification(verdict, visit, departments)


# --- throttling of failed look-ups ---------------------------------------------------------


def _limit() -> tuple[int, int]:
    return (
        getattr(settings, "INSPECTION_VERIFY_MAX_FAILURES", 10),
        getattr(settings, "INSPECTION_VERIFY_WINDOW_SECONDS", 600),
    )


def client_address(request) -> str:
    """The caller's address, read like every other limit reads it (``TRUSTED_PROXY_COUNT``)."""
    from zhaoshang.core.clientip import client_ip

    return client_ip(request) or "unknown"


def _key(address: str) -> str:
    return f"inspections:verify-failures:{address}"


def is_blocked(address: str) -> bool:
    limit, _window = _limit()
    return (caches["limits"].get(_key(address)) or 0) >= limit


def record_failure(address: str) -> None:
    _limit_value, window = _limit()
    key = _key(address)
    cache = caches["limits"]
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
