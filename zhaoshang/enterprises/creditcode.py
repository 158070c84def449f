"""GB 32100-2015 unified social credit code (统一社会信用代码) check.

Our own implementation: python-stdnum rejects valid codes whose first character is
A, N or Y. 18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY``; weights
3^(i-1) mod 31; check = (31 - Σ mod 31) mod 31.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]
REGISTRATION_AUTHORITIES = set("123456789ANY")


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def validate_credit_code(code: str) -> str:
    """Return the normalised code, or raise ValidationError naming the reason."""
    code = normalize(code)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(code)},
            code="length",
        )
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        raise ValidationError(
            _(
                "The character(s) %(chars)s cannot appear in a unified social credit code (I, O, S, V and Z are never used)."
            )
            % {"chars": "、".join(bad)},
            code="charset",
        )
    if code[0] not in REGISTRATION_AUTHORITIES:
        raise ValidationError(
            _(
                "The first character (registration authority) must be a digit 1–9, A, N or Y, not %(c)s."
            )
            % {"c": code[0]},
            code="authority",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character is wrong: the 18th character should be %(expected)s, not %(got)s. Please check the code for a typo."
            )
            % {"expected": expected, "got": code[17]},
            code="checksum",
        )
    return code


def make_credit_code(first17: str) -> str:
    """Complete 17 characters with their check character (used by the demo and tests)."""
    return first17 + check_character(first17)
