"""Validators shared by several apps: password strength, uploaded files, and text free of
markup."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
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
# Text files, accepted only where a caller allows them (a district's ledger as .csv): no
# magic number, but no NUL byte either (a binary file renamed).
TEXT_TYPES = (".csv",)


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
    head = uploaded.read(16 if ext in UPLOAD_TYPES else 4096)
    uploaded.seek(0)
    if ext in UPLOAD_TYPES:
        matches = any(head.startswith(magic) for magic in UPLOAD_TYPES[ext])
    else:
        matches = ext in TEXT_TYPES and b"\x00" not in head
    if not matches:
        raise ValidationError(
            _("The content of “%(name)s” does not match its extension %(ext)s.")
            % {"name": name, "ext": ext},
            code="file_content",
        )


def check_upload(field: str, uploaded, required_message: str = "") -> None:
    """An uploaded file's problems (type, size, content) under ``field``; no file is fine
    unless ``required_message`` makes it needed. Use it with ``core.services.gather`` to
    collect them with a form's other errors."""
    if uploaded is None:
        if required_message:
            raise ValidationError({field: required_message})
        return
    try:
        validate_upload(uploaded)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


# Markup: "<" followed by a letter (an opening tag, <script, <img …), "</" (a closing tag),
# "<!" (a comment or doctype) or "<?" (a processing instruction). A "<" before a digit, a
# space or "=" (“<5 亩”, “a < b”) is ordinary text.
MARKUP = re.compile(r"<[A-Za-z/!?]")


def contains_markup(text: str) -> bool:
    """Whether ``text`` holds anything a browser could read as a tag."""
    return bool(MARKUP.search(text or ""))


@deconstructible
class NoMarkupValidator:
    """Refuse text that holds markup (``<script``, ``<b>``, ``</…``), naming the field.

    Names and free text are shown on pages, in exports, in Word and PDF reports and in
    messages: they are escaped everywhere, but a name with a tag in it is never what
    somebody meant, and it travels to places (spreadsheets, e-mail, other systems) that
    may not escape it. ``label`` is the field's name as users see it."""

    code = "markup"

    def __init__(self, label=None):
        self.label = label

    def __call__(self, value) -> None:
        if not isinstance(value, str) or not contains_markup(value):
            return
        if self.label:
            message = _(
                "“%(field)s” cannot contain markup such as “<b>”, “<script” or “</”: "
                "write plain text (a “<” may only come before a digit or a space)."
            ) % {"field": self.label}
        else:
            message = _(
                "This text cannot contain markup such as “<b>”, “<script” or “</”: "
                "write plain text (a “<” may only come before a digit or a space)."
            )
        raise ValidationError(message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoMarkupValidator) and str(self.label) == str(other.label)


NO_MARKUP = NoMarkupValidator()


def _is_password(field) -> bool:
    from django import forms

    widget = getattr(field, "widget", None)
    if isinstance(widget, forms.PasswordInput):
        return True
    return (getattr(field, "style", None) or {}).get("input_type") == "password"


def bound_text_fields(fields, allowed: Iterable[str] = (), model=None) -> None:
    """Give every text field of ``fields`` (a form's or a serializer's fields, by name) a
    ``NoMarkupValidator`` labelled with the field's own label (or, without one, the
    verbose name of ``model``'s field of that name); idempotent. Passwords, JSON fields
    and the fields named in ``allowed`` are left alone; a field whose model field
    already refuses markup keeps that one check."""
    from django import forms
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst
    from rest_framework import serializers

    allowed = set(allowed)
    for name, field in fields.items():
        if name in allowed or _is_password(field):
            continue
        if isinstance(field, forms.JSONField) or not isinstance(
            field, forms.CharField | serializers.CharField
        ):
            continue
        if getattr(field, "read_only", False):
            continue
        if any(isinstance(v, NoMarkupValidator) for v in field.validators):
            continue
        label = field.label
        if not label and model is not None:
            with contextlib.suppress(FieldDoesNotExist):
                label = capfirst(model._meta.get_field(name).verbose_name)
        label = label or name.replace("_", " ")
        field.validators = [*field.validators, NoMarkupValidator(label)]
