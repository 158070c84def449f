"""Project scoping and the annotations lists need (one query, no per-row work)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from zhaoshang.core import roles
from zhaoshang.core.history import field_on
from zhaoshang.core.querysets import DistrictScopedQuerySet
from zhaoshang.org.models import Park


class ProjectQuerySet(DistrictScopedQuerySet):
    """Who sees which project (SPEC §1):

    - district-wide government roles: every project of their district (信息共享);
    - park committee users: the projects of their park;
    - enterprise users: their own enterprise's projects;
    - city-level users and superusers: every district.
    """

    #: Whether ``search`` read its term off the index (``search.condition``): its matches
    #: are the index's candidates, a bounded few (the page's threshold), whatever the
    #: district's size — a page may read them all at once (the registry's count and page,
    #: ``core.paging.CappedCountPaginator``'s ``with_page``).
    sought = False

    #: Whether ``search`` read its term off the folded rows (``search_folded``), whose
    #: district's rows a count may read alone (``count``).
    folded = False

    def _clone(self):
        clone = super()._clone()
        clone.sought, clone.folded = self.sought, self.folded
        return clone

    def count(self):
        """A district's projects (or every project) searched by a common term: counted off
        the folded rows alone (``search_folded.count``: the API's count of 有限公司 at
        50,000 projects 42 → 13 ms on PostgreSQL); any other list as usual."""
        if self.folded and self._result_cache is None:
            from zhaoshang.projects import search_folded

            counted = search_folded.count(self)
            if counted is not None:
                return counted
        return super().count()

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if roles.sees_all_districts(user):
            return self.all()
        if roles.is_enterprise(user):
            if not user.enterprise_id:
                return self.none()
            return self.filter(enterprise_id=user.enterprise_id)
        district = self.whole_district_of(user)
        if district is not None:
            return self.filter(district_id=district)
        user_roles = roles.roles_of(user)
        if not user.district_id or not user_roles:
            return self.none()
        qs = self.filter(district_id=user.district_id)
        parks = self.parks_of(user)
        if parks is not None:
            # The parks found first, so that the district's projects are matched on their
            # park alone (the index on district and park counts them, issue 19.3).
            return qs.filter(park_id__in=parks.values("pk"))
        return qs.none()

    def parks_of(self, user):
        """The parks whose projects (of the user's district) a park committee user sees —
        every park their committee governs, and their own park — or None for anyone else
        (``visible_to``)."""
        if not getattr(user, "is_authenticated", False) or not user.district_id:
            return None
        if roles.sees_all_districts(user) or roles.is_enterprise(user):
            return None
        if self.whole_district_of(user) is not None:
            return None
        if roles.Role.PARK not in roles.roles_of(user):
            return None
        return governed_parks(user.park_id, user.department_id)

    def whole_district_of(self, user) -> int | None:
        """The district every project of which ``user`` sees (a district-wide role of a
        district), else None (the city, an enterprise, a park committee, nobody)."""
        if not getattr(user, "is_authenticated", False):
            return None
        if roles.sees_all_districts(user) or roles.is_enterprise(user):
            return None
        if user.district_id and roles.roles_of(user) & roles.DISTRICT_WIDE_ROLES:
            return user.district_id
        return None

    def with_list_data(self):
        """What the list and export show: related names and the funds in place."""
        from zhaoshang.projects.models import FundsEntry

        funds = (
            FundsEntry.objects.filter(project=OuterRef("pk"))
            .values("project")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return self.select_related("enterprise", "industry", "park", "working_group").annotate(
            funds_in_place=Coalesce(
                Subquery(funds, output_field=DecimalField(max_digits=16, decimal_places=2)),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            )
        )

    def search(
        self,
        text: str,
        *,
        indexed: bool = True,
        common: int | None = None,
        by_code: bool = False,
        keyed: bool = False,
        every: bool = False,
    ):
        """Name, code, enterprise, credit code, and the pinyin (initials or full) of the name.

        A term is looked for among the projects the database's index names
        (``projects.search``: by its trigrams, or a term of one or two Chinese characters,
        letters or digits by the texts' characters and pairs), checked again by the plain
        conditions where the index's candidates are more than the matches (SQLite's, but a
        caseless term's read by key): the same answer as the plain walk (``indexed=False``).
        Such a term costs one query here, at once: whether the index finds it common
        (``common``: how many matches make a term common for the page, ``search.COMMON``
        unless given; ``by_code``: the page reads its rows in the order of their codes;
        ``keyed``: every match, by key: ``search.condition``; ``every``: the list reads
        every match uncapped — the API's count — its candidates by key as ``keyed``, a
        common term off the folded rows). A term read off the index
        marks the queryset ``sought``. A common term, or one the index cannot read: on a
        page that stops at its first matches (``by_code``, ``keyed``) the plain walk (on
        PostgreSQL ``search.pg_walked``); on a list that reads every match (the API's, an
        export) the folded rows (``search_folded``)."""
        from django.db import connections

        from zhaoshang.projects import search, search_folded

        text = (text or "").strip()
        if not text:
            return self
        lowered = text.lower().replace(" ", "")
        # the plain conditions, which the index's candidates are read with (the same ones)
        found = self.filter(
            search.own_matches(text, lowered) | search.enterprise_matches(text, "enterprise__")
        )
        connection = connections[self.db]
        few = (
            search.condition(
                connection, text, lowered, common, by_code=by_code, keyed=keyed or every
            )
            if indexed
            else None
        )
        if few is None:
            if by_code or keyed:
                # common, on a page that reads its first matches and stops (the
                # autocomplete's 20, the registry's page and its count capped at 1,001): the
                # plain walk, on PostgreSQL its conditions written as a walk reads them
                if connection.vendor == "postgresql" and search.indexed(text, lowered):
                    return self.filter(search.pg_walked(text, lowered))
                return found
            if indexed and search_folded.usable(connection, text, lowered):
                # a list that reads every match (the API's count, an export): the folded
                # rows, a project's texts in one narrow row without its enterprise joined
                # (有限公司 at 50,000 projects, the API's count: PostgreSQL 160 → 12 ms,
                # SQLite 53–59 → 15 ms, a district's counted off its rows alone: ``count``)
                found = self.filter(search_folded.condition(connection, text, lowered))
                found.folded = True
                return found
            return found
        # every candidate read by key: where they are exactly the matches (PostgreSQL's
        # always; SQLite's for a caseless term and ``keyed``), the plain conditions would only
        # read each one's texts again, with its enterprise (鑫 at 50,000: 1,250)
        # (the API's count of 鑫 at 50,000 projects: its 1,250 candidates each joined to its
        # enterprise and checked by six LIKEs, their codes read a second time, 12 → 9 ms)
        exact = connection.vendor == "postgresql" or (
            (keyed or every) and search.exact(connection, text)
        )
        found = self.filter(few) if exact else found.filter(few)
        found.sought = True
        return found

    def held_by(self, user):
        """The projects ``user`` manages or serves as secretary (项目经理制/项目秘书制): the
        registry's "mine" and the team's home."""
        from zhaoshang.projects.choices import HELD_ROLES
        from zhaoshang.projects.models import ProjectTeamMember

        held = ProjectTeamMember.objects.filter(user=user, role__in=HELD_ROLES)
        return self.filter(pk__in=held.values("project_id"))

    def owing_report(self, today, *, probe: bool = False):
        """The projects owing last month's monthly report on ``today`` and not having filed
        it: in a stage that reports, signed before this month (one signed this month owes
        this month's, ``portal.reporting.owed_month``). The one rule of the reminder, the
        registry's filter and the team's home.

        ``probe``: each project's report looked up on its own key (NOT EXISTS, the unique
        index on project and month), for a walk that stops after a few projects (the team's
        capped tile); else the month's reports read once as a list (NOT IN), which beats a
        probe per project when many are read (a district's list)."""
        from zhaoshang.projects.choices import REPORTING_STAGES
        from zhaoshang.projects.models import MonthlyReport

        this_month = today.replace(day=1)
        last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
        # Filed: the month's reports, a range of the index on month and project
        # (``report_month_project``), not every report ever filed.
        filed = MonthlyReport.objects.filter(month=last_month)
        owing = self.filter(stage__in=REPORTING_STAGES).filter(
            Q(signed_on__isnull=True) | Q(signed_on__lt=this_month)
        )
        if probe:
            return owing.exclude(Exists(filed.filter(project=OuterRef("pk"))))
        return owing.exclude(pk__in=filed.values("project_id"))

    def of_user(self, user):
        """Projects a person serves: on the team, as designated leader, or paired department
        (``served_by``)."""
        return self.filter(served_by(user))


def governed_parks(park_id: int | None, department_id: int | None):
    """The parks a park committee user of park ``park_id`` and department (committee)
    ``department_id`` sees the projects of (``parks_of``): their own park, and every park
    their committee governs."""
    parks = Q(pk__in=[])
    if park_id:
        parks |= Q(pk=park_id)
    if department_id:
        parks |= Q(committee_id=department_id)
    return Park.objects.filter(parks)


def served_by(user) -> Q:
    """SQL, on a project: ``user`` serves it — on its team, its designated leader, or their
    department paired with it. Each way is checked on the project's own key (no join, no
    DISTINCT), so a list of a district's projects is read in the order asked and stops at
    its page, and a given list of projects is checked one key at a time (issue 19.3)."""
    from zhaoshang.projects.models import Project, ProjectTeamMember

    served = Exists(ProjectTeamMember.objects.filter(project=OuterRef("pk"), user=user))
    served |= Q(designated_leader=user)
    if user.department_id:
        paired = Project.paired_departments.through.objects.filter(
            project=OuterRef("pk"), department_id=user.department_id
        )
        served |= Exists(paired)
    return served


def served_keys(user) -> Q:
    """SQL, on a project: the same as ``served_by`` — ``user`` serves it — as lists of keys
    read off the team's, the designated leader's and the pairings' indexes, to enumerate the
    few projects a person serves without reading a district's projects."""
    from zhaoshang.projects.models import Project, ProjectTeamMember

    served = Q(pk__in=ProjectTeamMember.objects.filter(user=user).values("project_id"))
    served |= Q(pk__in=Project.objects.filter(designated_leader=user).values("pk"))
    if user.department_id:
        paired = Project.paired_departments.through.objects.filter(department_id=user.department_id)
        served |= Q(pk__in=paired.values("project_id"))
    return served


def project_field_on(day, field: str, output_field):
    """SQL: a project's ``field`` at the end of ``day`` (a closed period's figures, issue 16
    point 7): ``core.history.field_on`` over the project's history."""
    from zhaoshang.projects.models import Project

    return field_on(Project, day, field, output_field)
