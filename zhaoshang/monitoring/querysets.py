"""Scoping of signals (SPEC §1, §11): a signal about a project is visible with the project;
one without a project (a complaint, an action item of a meeting's general decision) to the
district-wide roles of its district; city users see every district, read-only."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When

from zhaoshang.core import clock, roles
from zhaoshang.core.lights import Light
from zhaoshang.core.querysets import DistrictScopedQuerySet

# The colours' order on the board (issue 19): red first, then yellow.
LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1}


def signal_rank():
    """SQL: a signal's stored rank (``Signal.rank``): ``2 × the colour's order``, plus 1
    without a due date — so that ``rank, due_on, id`` is the board's order (red before
    yellow, the least time left first, none last) read straight from an index, on SQLite
    (whose indexes cannot put NULLs last) as on PostgreSQL. The working days left are a
    non-decreasing function of the due date (``workdays.querysets.days_left_expression``:
    the past ones clamped to -1 and below, NULL without a date), so ordering by the due
    date orders by them, ties in days left (a due date on a day off) broken by the date as
    the board always broke them."""
    colour = Case(
        *(When(light=light, then=Value(2 * order)) for light, order in LIGHT_ORDER.items()),
        default=Value(2 * len(LIGHT_ORDER)),
        output_field=IntegerField(),
    )
    undated = Case(When(due_on__isnull=True, then=Value(1)), default=Value(0))
    return colour + undated


def rank_of(light: str, due_on) -> int:
    """The rank the database stores for a light (``signal_rank`` in Python, for tests)."""
    return 2 * LIGHT_ORDER.get(light, len(LIGHT_ORDER)) + (due_on is None)


def light_q(light: str) -> Q:
    """The signals of one colour, on the stored rank (the board's index)."""
    order = LIGHT_ORDER[light]
    return Q(rank__in=(2 * order, 2 * order + 1))


class SignalQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        from zhaoshang.projects.models import Project

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if roles.sees_all_districts(user):
            return self.all()
        user_roles = roles.roles_of(user)
        if not user.district_id or not user_roles or roles.is_enterprise(user):
            return self.none()
        qs = self.filter(district_id=user.district_id)
        if user_roles & roles.DISTRICT_WIDE_ROLES:
            return qs
        return qs.filter(project__in=Project.objects.visible_to(user).values("pk"))

    # Every write of signals through the ORM restores the stored light of the projects it
    # touched (``monitoring.worst``); a single save or delete by the model's signals.

    def bulk_create(self, objs, *args, **kwargs):
        from zhaoshang.monitoring.worst import restore_projects

        made = super().bulk_create(objs, *args, **kwargs)
        restore_projects(s.project_id for s in made)
        return made

    def update(self, **kwargs):
        from zhaoshang.monitoring.worst import restore_projects

        if not kwargs.keys() & {"light", "project", "project_id"}:  # the level unmoved
            return super().update(**kwargs)
        rows = dict(self.order_by().values_list("pk", "project_id"))
        done = super().update(**kwargs)
        touched = set(rows.values())
        if "project" in kwargs or "project_id" in kwargs:  # moved: the projects now theirs
            moved = type(self)(self.model, using=self.db).filter(pk__in=list(rows))
            touched.update(moved.values_list("project_id", flat=True))
        restore_projects(touched)
        return done

    update.alters_data = True

    def with_days_left(self, today=None):
        """Each signal's ``days_left``: the working days from ``today`` (None: today) to its
        due date, as its source counts them (``workdays.querysets.days_left_expression``;
        NULL without a due date) — worked out when read, not stored, so that a signal
        whose light holds is not rewritten every working day."""
        from zhaoshang.workdays.querysets import days_left_expression

        return self.annotate(days_left=days_left_expression("due_on", today or clock.today()))

    def worst_first(self):
        """Red before yellow, then the least time left (the longest overdue first), those
        without a due date last: the stored rank (``signal_rank``) and the due date, so the
        district's board is read in the order of its index (``signal_board_order``) and
        stops at the page. (The working days left shown: ``with_days_left``.)"""
        return self.order_by("rank", "due_on", "id")
