"""Pinyin search keys (issue 19.5): worked out where a name is written, read where options
are drawn, so that serving pages never imports pypinyin (its phrase table costs a worker
~53 MiB).

``keys(text)`` is the one computation (lazy import, cached); ``PinyinLabelled`` keeps a
model's ``pinyin`` column ("<initials> <full>", of ``str(instance)``) in step on save;
``stored_keys(instance, label)`` gives an option's keys from the stored value without
importing pypinyin whenever the label is the instance's own text, possibly with text
around it that holds no Chinese characters (pypinyin segments each run of Chinese
characters on its own, so the keys of such a label are the keys of its parts)."""

from __future__ import annotations

import functools

_DEFERRED = object()


@functools.lru_cache(maxsize=32768)
def keys(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of a text, lower case, letters and digits only; worked out
    once per text (~0.2 ms each). Bounded, and large enough (a few MB) for a city's people,
    enterprises and departments together."""
    from pypinyin import Style, lazy_pinyin  # its phrase table: ~53 MiB, only when needed

    def keep(parts: list[str]) -> str:
        return "".join(c for c in "".join(parts).lower() if c.isalnum())

    initials = keep(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    return initials, keep(lazy_pinyin(text, errors="default"))


def joined(text: str) -> str:
    """The stored form of ``keys(text)``: "<initials> <full>"."""
    return " ".join(keys(text))


def _keep(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _chinese(c: str) -> bool:
    """Whether pypinyin could read the character as Chinese (conservatively: anything from
    the CJK radicals up, except CJK punctuation and full-width forms)."""
    o = ord(c)
    return not (o < 0x2E80 or (0x3000 <= o <= 0x303F and c != "\u3007") or 0xFF00 <= o <= 0xFFEF)


def _sources(instance) -> list[tuple[str, str]]:
    """(text, stored keys) of the instance and of the related rows already loaded with it
    (a person's department, a case's item): no query."""
    found = []
    for obj in (instance, *getattr(getattr(instance, "_state", None), "fields_cache", {}).values()):
        if obj is None:
            continue
        # A project keeps the keys of its name in two columns (cut at 80 and 300 letters).
        initials, full = obj.__dict__.get("name_initials"), obj.__dict__.get("name_pinyin")
        if initials and full and len(initials) < 80 and len(full) < 300:
            found.append((obj.__dict__.get("name") or "", f"{initials} {full}"))
        if not isinstance(getattr(obj, "pinyin", None), str):
            continue
        if obj.pinyin:
            found.append((str(obj), obj.pinyin))
        for column, field in getattr(obj, "PINYIN_EXTRA", {}).items():
            text, stored = obj.__dict__.get(field), obj.__dict__.get(column)
            if text and stored:
                found.append((text, stored))
    return sorted((s for s in found if s[0]), key=lambda s: -len(s[0]))


def stored_keys(instance, label: str) -> tuple[str, str] | None:
    """The keys of ``label`` read from stored ones, or None when they cannot be: the label
    must be made of the texts of the instance and its loaded related rows (their stored
    keys) and of text without Chinese characters, each such text set apart from the next
    by a character that is not Chinese (pypinyin reads each run of Chinese characters on
    its own, so the keys of the label are then the keys of its parts, end to end)."""
    sources = _sources(instance)
    if not sources:
        return None
    initials, full, plain = [], [], []
    at, n, used = 0, len(label), False
    while at < n:
        for text, stored in sources:
            if label.startswith(text, at):
                before = label[at - 1] if at else ""
                after = label[at + len(text)] if at + len(text) < n else ""
                if (before and _chinese(before) and _chinese(text[0])) or (
                    after and _chinese(after) and _chinese(text[-1])
                ):
                    continue
                head, _, tail = stored.partition(" ")
                kept = _keep("".join(plain))
                initials += [kept, head]
                full += [kept, tail]
                plain, at, used = [], at + len(text), True
                break
        else:
            if _chinese(label[at]):
                return None
            plain.append(label[at])
            at += 1
    if not used:
        return None
    kept = _keep("".join(plain))
    return "".join(initials) + kept, "".join(full) + kept


class PinyinLabelled:
    """A model mixin: the ``pinyin`` column holds ``joined(str(self))``, refreshed on save
    when one of ``PINYIN_FROM`` (the fields ``__str__`` reads) changed since the row was
    loaded, or when it is empty; each ``PINYIN_EXTRA`` column likewise holds the keys of
    its field (a person's title, which labels show after the name). A save naming its
    ``update_fields`` without any of them (a log-in's ``last_login``) leaves them alone."""

    PINYIN_FROM: tuple[str, ...] = ("name",)
    PINYIN_EXTRA: dict[str, str] = {}  # column: the text field it holds the keys of

    @classmethod
    def _pinyin_fields(cls) -> tuple[str, ...]:
        return (*cls.PINYIN_FROM, *cls.PINYIN_EXTRA.values())

    def _pinyin_values(self) -> dict:
        return {f: self.__dict__.get(f, _DEFERRED) for f in self._pinyin_fields()}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._pinyin_seen = instance._pinyin_values()
        return instance

    def _pinyin_refresh(self, fields: set | None) -> list[str]:
        """Write the stale columns; their names."""
        seen = getattr(self, "_pinyin_seen", None) or {}
        now = self._pinyin_values()

        def moved(names) -> bool:
            return any(now[f] != seen.get(f, None) for f in names)

        changed = []
        if fields is None or fields & {*self.PINYIN_FROM, "pinyin"}:
            stored = self.__dict__.get("pinyin")
            empty = not stored and ("pinyin" in self.__dict__ or self._state.adding)
            if empty or (stored and moved(self.PINYIN_FROM)):
                self.pinyin = joined(str(self))
                changed.append("pinyin")
        for column, field in self.PINYIN_EXTRA.items():
            text = now[field]
            if text is _DEFERRED or (fields is not None and not fields & {field, column}):
                continue
            stored = self.__dict__.get(column, _DEFERRED)
            if stored is _DEFERRED or bool(stored) != bool(text) or moved((field,)):
                setattr(self, column, joined(text) if text else "")
                changed.append(column)
        if changed:
            self._pinyin_seen = now
        return changed

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        fields = set(update_fields) if update_fields is not None else None
        changed = self._pinyin_refresh(fields)
        if changed and update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *changed}
        return super().save(*args, **kwargs)
