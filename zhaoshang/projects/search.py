"""The projects' search by grams (issue 19.3, "flat with size").

The search (``ProjectQuerySet.search``) keeps a project whose name, code, enterprise name or
credit code contains the term (case aside), or whose name's pinyin initials or full pinyin
contain it (lower case, spaces taken out). Nothing indexes "contains", so a term few
projects match read every project of the district (49 ms of CPU for "2024" at 50,000
projects): a common term stops early, as the list of 20 fills in the order asked.

Each project keeps the one-, two- and three-character pieces (grams) of those six texts,
folded (``fold``), in ``ProjectGram``; a project containing the term holds each gram of
the folded term (the term itself when it is three characters or fewer, else its
three-character pieces). So the term's grams are counted, each up to ``PROBE_LIMIT``
(one statement, each count a bounded range of the index on gram and project); when one is
rarer than that, the projects holding it are the only ones that can match, and the search
reads those few, each still checked by the same conditions as before — the answer is the
same set, in the same order. When every gram is that common, the projects holding both
the term's first and last gram are met, if neither list is longer than ``PAIR_LIMIT``
("2024" among codes full of digits). Else the plain search runs as before (a common term:
it stops early). The few are read by their codes (``holders``): a district's by seeks of
its index on district and code, in code order, as the list asks. Chinese names are searched
by one and two characters, so a trigram index alone (pg_trgm, FTS5's trigram) would not
serve them.

``fold`` takes out the spaces (the pinyin keys are compared without them) and folds each
character's case as upper then lower (so ``ſ``, ``ı`` and ``ß`` meet ``s``, ``i`` and ``ss``
as PostgreSQL's UPPER can make them meet): whatever the database's case rules match, the
folded texts contain the folded term. A term with a character whose case mapping is more
than one character (``ß``, ``İ``) is left to the plain search.

The grams are kept true where the texts are written: ``Project.save``, an enterprise's
save (its projects'), and every path writing projects in bulk (``refresh``). A project
whose stored text (``ProjectSearchText``) differs from its text now, or that has none, is
found set-based by ``stale`` and remade by ``repair`` (``manage.py repair_search_grams``,
after a load that went around the application: a restored older dump, rows written by
hand). Not a step of the daily scan: a database whose projects were written in bulk
without their grams (the scan benchmarks' generated districts, 500,000 projects) would
have its first scan spend an hour remaking them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, TextField, Value
from django.db.models.functions import Coalesce, Concat

# A gram held by fewer projects than this drives the search; at 50,000 projects a gram
# held by more is held by one project in a hundred or more, and the plain search, walking
# the district in code order, fills its list of 20 after some 2,000 projects.
PROBE_LIMIT = 500
# A term whose grams are all common is looked for among the projects holding both its first
# and last gram when neither is held by this many (the two lists read whole, then met).
PAIR_LIMIT = 3000
# At most this many of a long term's grams are counted (any of them serves).
MAX_PROBED = 8
SIZES = (1, 2, 3)
# The searched texts of a project, in the order of its stored text.
FIELDS = (
    "name",
    "code",
    "enterprise__name",
    "enterprise__credit_code",
    "name_initials",
    "name_pinyin",
)
SEPARATOR = "\x1f"
BATCH = 500


def fold(text: str) -> str:
    """``text`` without spaces, each character's case folded (upper, then lower)."""
    return "".join(c.upper().lower() for c in text if c != " ")


def grams_of(texts: Iterable[str]) -> set[str]:
    """The one-, two- and three-character pieces of each folded text (none across two)."""
    found: set[str] = set()
    for text in texts:
        folded = fold(text or "")
        for n in SIZES:
            found.update(folded[i : i + n] for i in range(len(folded) - n + 1))
    return found


def term_grams(term: str) -> list[str] | None:
    """The grams every project matching ``term`` holds (``search``), or None when the term
    is left to the plain search (empty, or a character folded into several)."""
    if any(len(c.upper()) != 1 or len(c.lower()) != 1 for c in term):
        return None
    folded = fold(term)
    if not folded:
        return None
    if len(folded) <= SIZES[-1]:
        return [folded]
    pieces = list(dict.fromkeys(folded[i : i + 3] for i in range(len(folded) - 2)))
    if len(pieces) <= MAX_PROBED:
        return pieces
    # Spread over the term, its first and last kept (``candidates`` may meet those two).
    step = (len(pieces) - 1) / (MAX_PROBED - 1)
    return list(dict.fromkeys(pieces[round(k * step)] for k in range(MAX_PROBED)))


def source_of(values: Iterable[str | None]) -> str:
    """A project's stored text: its ``FIELDS``' values, joined."""
    return SEPARATOR.join(v or "" for v in values)


def current_source():
    """SQL, on a project: its text now (``source_of`` of its ``FIELDS``)."""
    parts = []
    for field in FIELDS:
        if parts:
            parts.append(Value(SEPARATOR))
        parts.append(Coalesce(F(field), Value("")))
    return Concat(*parts, output_field=TextField())


def candidates(term: str) -> tuple[str, ...] | None:
    """The grams of ``term`` whose holders (``holders``) are every project that can match
    it, when those are few (fewer than ``PROBE_LIMIT``): its rarest gram — or, when every
    gram is held by that many, its first and last together, when neither is held by
    ``PAIR_LIMIT`` or more ("2024": "202" and "024" are common among codes, the projects
    holding both few). Empty: no project can match. None: the term is common, and the
    plain search finds its matches soon. Counted off the index on gram and project alone."""
    grams = term_grams(term)
    if grams is None:
        return None
    counts = _counts([[gram] for gram in grams], PROBE_LIMIT)
    least = min(range(len(grams)), key=lambda i: counts[i])
    if counts[least] < PROBE_LIMIT:
        return (grams[least],) if counts[least] else ()
    if len(grams) == 1:
        return None
    pair = [grams[0], grams[-1]]
    if max(_counts([[gram] for gram in pair], PAIR_LIMIT)) >= PAIR_LIMIT:
        return None
    (both,) = _counts([pair], PROBE_LIMIT)
    if both >= PROBE_LIMIT:
        return None
    return tuple(pair) if both else ()


def holders(grams: tuple[str, ...]):
    """The projects holding every one of ``grams`` (a queryset)."""
    from zhaoshang.projects.models import Project
    from zhaoshang.projects.search_models import ProjectGram

    held = Project._base_manager.all()
    for gram in grams:
        held = held.filter(pk__in=ProjectGram.objects.filter(gram=gram).values("project_id"))
    return held


def held_ids(grams: tuple[str, ...]) -> list[int]:
    """The ids of the projects holding every one of ``grams``, read off the index on gram
    and project alone (one statement)."""
    from zhaoshang.projects.search_models import ProjectGram

    lists = [
        ProjectGram.objects.filter(gram=gram).order_by().values_list("project_id", flat=True)
        for gram in grams
    ]
    held = lists[0].intersection(*lists[1:]) if len(lists) > 1 else lists[0]
    return list(held)


def _counts(sets: list[list[str]], limit: int) -> tuple[int, ...]:
    """How many projects hold every gram of each of ``sets``, counted up to ``limit`` each
    (bounded ranges of the index), in one statement."""
    from zhaoshang.projects.search_models import ProjectGram

    table = connection.ops.quote_name(ProjectGram._meta.db_table)
    held = f"SELECT project_id FROM {table} WHERE gram = %s"
    counts, params = [], []
    for grams in sets:
        both = " INTERSECT ".join([held] * len(grams))
        counts.append(f"(SELECT COUNT(*) FROM ({both} LIMIT {limit}) AS held)")
        params.extend(grams)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts), params)
        return cursor.fetchone()


def refresh(project_ids: Iterable[int], models: tuple | None = None) -> int:
    """Remake the grams and stored text of these projects from their texts now (a project
    gone is left out); the number of projects remade. ``models``: (Project, ProjectGram,
    ProjectSearchText) as a migration has them."""
    if models is None:
        from zhaoshang.projects.models import Project
        from zhaoshang.projects.search_models import ProjectGram, ProjectSearchText
    else:
        Project, ProjectGram, ProjectSearchText = models  # noqa: N806 - model classes
    ids = sorted(set(project_ids))
    done = 0
    gram_table = connection.ops.quote_name(ProjectGram._meta.db_table)
    insert = f"INSERT INTO {gram_table} (project_id, gram) VALUES (%s, %s)"
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        rows = Project._base_manager.filter(pk__in=batch).values_list("pk", *FIELDS)
        with transaction.atomic():
            texts, grams = [], []
            for pk, *values in rows:
                texts.append(ProjectSearchText(project_id=pk, source=source_of(values)))
                grams.extend((pk, gram) for gram in sorted(grams_of(values)))
            ProjectGram.objects.filter(project_id__in=batch)._raw_delete(connection.alias)
            ProjectSearchText.objects.filter(project_id__in=batch)._raw_delete(connection.alias)
            ProjectSearchText.objects.bulk_create(texts)
            with connection.cursor() as cursor:
                for at in range(0, len(grams), 5000):
                    cursor.executemany(insert, grams[at : at + 5000])
        done += len(texts)
    return done


def stale(queryset=None):
    """The projects (of ``queryset``, else all) whose stored text differs from their text
    now, or that have none: one statement, set-based."""
    from zhaoshang.projects.models import Project
    from zhaoshang.projects.search_models import ProjectSearchText

    queryset = Project._base_manager.all() if queryset is None else queryset
    kept = ProjectSearchText.objects.filter(project=OuterRef("pk"), source=OuterRef("now"))
    return queryset.order_by().annotate(now=current_source()).filter(~Exists(kept))


def repair(queryset=None) -> int:
    """Remake the grams of every stale project (``stale``); the number remade."""
    return refresh(stale(queryset).values_list("pk", flat=True))


def refresh_enterprise(enterprise_id: int) -> int:
    """Remake the grams of an enterprise's projects (its name or credit code changed)."""
    from zhaoshang.projects.models import Project

    return refresh(
        Project._base_manager.filter(enterprise_id=enterprise_id).values_list("pk", flat=True)
    )
