"""What the demo's builders share: ``Part``, a builder's seeded random generator, working-day
calendar and timeline (with ``chain``, ``admin_save`` and ``workday_before`` as methods);
``act``, a step calling a service; who acts (``acting_for``, ``first_of``); the
``signed_projects``; ``pdf`` uploads and the ``files_written``; ``counter``, a module's
record counts.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Callable

from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import FileField
from django.db.models.signals import post_save
from django.forms import modelform_factory

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.days import Calendar
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.demo.replay import Timeline, moment, office_time
from zhaoshang.org.models import User

DAY = datetime.timedelta(days=1)


class Part:
    """A part of the demo's history: its seeded random generator, working-day calendar and
    timeline; ``last``, the working day before today (nothing happens this morning)."""

    SEED = 0

    def __init__(self, builder):
        self.builder, self.worlds, self.today = builder, builder.worlds, builder.today
        self.rng = random.Random(self.SEED)
        year = self.today.year
        self.cal = Calendar(datetime.date(year - 4, 1, 1), datetime.date(year + 2, 12, 31))
        self.line = Timeline(self.today)
        self.last = self.cal.before(self.today, 1)

    def chain(self, steps: list) -> None:
        chain(self.line, self.rng, steps)

    def admin_save(self, when, user, model, **values) -> None:
        self.line.add(when, admin_save, user, model, **values)

    def workday_before(self, day: datetime.date) -> datetime.date:
        return workday_before(self.cal, day)


def chain(line: Timeline, rng: random.Random, steps: list[tuple[datetime.date, Callable]]):
    """Plan a record's steps ``[(day, fn), ...]`` one after the other: each at an office
    time of its day, after the step before (a later step of the same day comes later that
    day, never past midnight). A step after the present is dropped: the story stops there."""
    steps = [s for s in steps if s is not None]

    def at(day: datetime.date) -> datetime.datetime:
        now = clock.now()
        if not clock.is_set() or day > clock.today():
            return office_time(rng, day)
        later = now + datetime.timedelta(minutes=rng.randint(10, 90))
        return max(min(later, moment(now.date(), 23, 59)), now + datetime.timedelta(seconds=1))

    def play(i: int) -> None:
        steps[i][1]()
        if i + 1 < len(steps):
            line.add(at(steps[i + 1][0]), play, i + 1)

    if steps:
        line.add(at(steps[0][0]), play, 0)


def acting_for(world, department):
    """Who acts for a department: the demo department account when it is of it, else its
    handler (the approvals demo's), its head, or anyone of it."""
    account = world.role_users.get(Role.DEPARTMENT)
    if account is not None and account.department_id == department.pk:
        return account
    key = next((k for k, d in world.departments.items() if d.pk == department.pk), None)
    found = getattr(world, "handlers", {}).get(department.pk) or world.heads.get(key)
    anyone = User.objects.filter(department=department, is_active=True).order_by("pk")
    return found or anyone.first()


def first_of(world, *roles):
    """The demo account of the first of ``roles`` the district has."""
    return next(world.role_users[r] for r in roles if r in world.role_users)


def signed_projects(world) -> list:
    """The district's signed projects, by code."""
    return sorted((p.project for p in world.plans if p.project.signed_on), key=lambda p: p.code)


def workday_before(cal, day: datetime.date) -> datetime.date:
    """The working day on or before ``day``."""
    return day if cal.work[day] else cal.before(day, 1)


def admin_save(user, model, **values):
    """Reference data (limits, settings, plans) saved as its admin page saves it: through
    the admin's form and its checks, by ``user``, at the clock's moment."""
    form_class = admin.site.get_model_admin(model).form
    form = modelform_factory(model, form=form_class, fields=list(values))(
        data={k: getattr(v, "pk", v) for k, v in values.items() if v is not None}
    )
    if not form.is_valid():
        raise ValueError(f"{model.__name__}: {form.errors.as_json()}")
    row = form.save(commit=False)
    row._history_user = user
    row.save()
    return row


def act(held: dict, service, user, **kwargs) -> Callable:
    """A step calling ``service(user, held["it"], **kwargs)``, keeping the record it returns."""

    def step():
        done = service(user, held["it"], **kwargs)
        if type(done) is type(held["it"]):
            held["it"] = done

    return step


def pdf(name: str, *lines: str) -> SimpleUploadedFile:
    """A one-page PDF upload showing ``lines`` (ASCII): an evidence file, a notice."""
    return SimpleUploadedFile(name, tiny_pdf(list(lines)), content_type="application/pdf")


@contextlib.contextmanager
def files_written(names: list, *models):
    """Note in ``names`` the files of the rows of ``models`` created in the block (the
    files to remove should the load fail), without reading them back."""

    def note(sender, instance, created, **kwargs):
        if created:
            fields = (f for f in sender._meta.concrete_fields if isinstance(f, FileField))
            names.extend(getattr(instance, f.attname).name for f in fields)

    for model in models:
        post_save.connect(note, sender=model, weak=False)
    try:
        yield
    finally:
        for model in models:
            post_save.disconnect(note, sender=model)


def counter(*rows, path: str = "district_id") -> Callable[..., dict[str, int]]:
    """A module's ``counts(district_ids)``: ``{label: count}`` of each ``(label, model)``."""
    return lambda ids: {n: m.objects.filter(**{f"{path}__in": ids}).count() for n, m in rows}
