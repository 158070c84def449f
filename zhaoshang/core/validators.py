"""Validators shared by several apps: password strength and uploaded files."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """A strong password mixes at least three of: upper case, lower case, digits, symbols."""

    def validate(self, password, user=None):
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _(
                    "The password must mix at least three of: upper-case letters, lower-case "
                    "letters, digits and symbols."
                ),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "Your password must mix at least three of: upper-case letters, lower-case letters, "
            "digits and symbols."
        )


# Allowed upload types: extension -> accepted leading bytes (magic numbers).
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0",)
UPLOAD_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".doc": _OLE,
    ".xls": _OLE,
    ".ofd": _ZIP,
    ".zip": _ZIP,
}
IMAGE_TYPES = (".jpg", ".jpeg", ".png")


def validate_upload(uploaded, allowed: tuple[str, ...] | None = None) -> None:
    """Reject a file that is too big, of a type we do not keep, or whose content lies."""
    name = getattr(uploaded, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    allowed = allowed or tuple(UPLOAD_TYPES)
    if ext not in allowed:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type; accepted: %(types)s.")
            % {"name": name, "types": ", ".join(t.lstrip(".") for t in allowed)},
            code="file_type",
        )
    if uploaded.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the largest accepted file is %(max)s.")
            % {
                "name": name,
                "size": filesizeformat(uploaded.size),
                "max": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
            code="file_size",
        )
    if uploaded.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(magic) for magic in UPLOAD_TYPES[ext]):
        raise ValidationError(
            _("The content of “%(name)s” does not match its extension %(ext)s.")
            % {"name": name, "ext": ext},
            code="file_content",
        )
