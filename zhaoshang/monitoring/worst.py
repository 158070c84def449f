"""A project's light, stored on the project (issue 19.3): ``Project.light_level``.

A project is as bad as its worst signal (``lights.project_light``): 2 red, 1 yellow, 0
green. The homes read a district's projects worst first off the index
``project_lit_order`` (district, light_level, updated_at, id) — the first page of "my
projects" found by walking it — rather than looking up every lit project of the district
and sorting them (8–10 ms at 50,000 projects).

The level follows the signals wherever they are written:

- the daily scan's set-based refresh (``refresh.refresh_subject``, raw SQL) calls
  ``restore_districts`` once the signals are written (``services.refresh_signals``);
- any other write of a signal through the ORM — a save, a delete (a cascade included),
  ``bulk_create``, a queryset's ``update`` or ``delete`` — restores the levels of the
  projects it touched (the model's signals and ``SignalQuerySet``).

A save of the project never writes the level (``Project.save``), so a project loaded
before its signals changed cannot put an old one back. ``tests/test_worst_light.py``
checks the stored level equals ``project_light`` after each kind of write.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import IntegerField

from zhaoshang.core.lights import Light
from zhaoshang.core.querysets import in_districts
from zhaoshang.monitoring.lights import project_light

# The stored level of each light a project can show, and back.
LEVEL = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}
LIGHT_OF_LEVEL = {level: light for light, level in LEVEL.items()}
# Projects restored by one statement at most (a statement's parameters are bounded).
CHUNK = 2000


def level_of_signals():
    """SQL on projects: the level their signals give them now (``project_light``)."""
    return project_light(LEVEL, IntegerField())


def restore(projects) -> int:
    """Bring the stored level of ``projects`` (a Project queryset) in line with their
    signals: one UPDATE of those whose level moved (the project's ``updated_at``, version
    and history untouched: its light is not an edit of it). Returns how many moved."""
    level = level_of_signals()
    return projects.exclude(light_level=level).order_by().update(light_level=level)


def restore_projects(project_ids: Iterable[int | None]) -> int:
    """``restore`` the projects of ``project_ids`` (None, a signal with no project, left
    out)."""
    from zhaoshang.projects.models import Project

    ids = sorted({pk for pk in project_ids if pk is not None})
    return sum(
        restore(Project.objects.filter(pk__in=ids[i : i + CHUNK]))
        for i in range(0, len(ids), CHUNK)
    )


def restore_districts(district_ids=None) -> int:
    """``restore`` every project of ``district_ids`` (None: every district). Each project is
    judged in the table's order by its two probes of the signals' (project, light) index —
    a project neither lit now nor stored lit is green and stays so — rather than the
    candidates gathered first from every signal and the stored lights (a set of 290,000
    keys at 100,000 projects: 0.12 s of CPU on a day nothing moved against 0.04, 0.40
    against 0.30 on a first scan)."""
    from zhaoshang.projects.models import Project

    return restore(in_districts(Project.objects.all(), district_ids))


def signal_written(sender, instance, origin=None, **kwargs) -> None:
    """A signal saved or deleted one at a time: its project's level restored — unless it
    went with its project or its district (a project, or an import's projects undone: no
    level left to keep, and not one statement per light)."""
    from zhaoshang.org.models import District
    from zhaoshang.projects.models import Project

    gone_with = getattr(origin, "model", type(origin))
    if gone_with in (Project, District):
        return
    restore_projects([instance.project_id])
