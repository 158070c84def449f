"""The cohort (``services.cohort``): a plain queryset of projects — conditions on their own
columns, such as the snapshots' districts — is filtered as it is, so that the district's
index of signing dates finds the cohort; any other (a join, an annotation, distinct) is used
as a set of ids. The same projects either way."""

from __future__ import annotations

from django.db.models import Count

from zhaoshang.kpis.services import Period, cohort
from zhaoshang.kpis.tests.factories import D, make_project
from zhaoshang.projects.models import Project


def test_a_plain_queryset_s_cohort_is_filtered_as_it_is(world):
    signed = {
        make_project(world, signed_on=D(2026, 2, 1)).pk,
        make_project(world, signed_on=D(2026, 6, 1)).pk,
    }
    make_project(world, signed_on=D(2025, 5, 1))
    make_project(world, "b", signed_on=D(2026, 3, 1))
    period = Period.of(2026, D(2026, 6, 15))
    district = world.district_a
    plain = Project.objects.filter(district_id__in=[district.pk])
    others = [
        Project.objects.filter(park__district=district),  # a join
        plain.annotate(n=Count("team_members")),
        plain.distinct(),
    ]
    assert "IN (SELECT" not in str(cohort(plain, period).query)
    expected = set(
        Project.objects.filter(
            district=district, signed_on__gte=D(2026, 1, 1), signed_on__lte=D(2026, 6, 15)
        ).values_list("pk", flat=True)
    )
    assert signed <= expected
    assert set(cohort(plain, period).values_list("pk", flat=True)) == expected
    for other in others:
        assert "IN (SELECT" in str(cohort(other, period).query)
        assert set(cohort(other, period).values_list("pk", flat=True)) == expected
