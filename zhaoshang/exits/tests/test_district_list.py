"""A district-wide role's warnings are the district's own (issue 19.3): read by the warning's
district off ``warning_district_recent`` in the desk's order (newest first), so the desk's,
the API's and the admin's first page is not every warning of the district's projects
sorted whole (nor its rules read off a DISTINCT over them); every role still sees exactly the warnings of the projects it sees."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.exits.api import ExitWarningViewSet
from zhaoshang.exits.choices import RuleCode
from zhaoshang.exits.models import ExitWarning
from zhaoshang.exits.views import filtered_warnings
from zhaoshang.projects.models import Project
from zhaoshang.testing.plans import plan, reads_index


def test_every_person_sees_the_warnings_of_the_projects_they_see(world, targets):
    for name in world.names("user_"):
        user = getattr(world, name)
        seen = set(ExitWarning.objects.visible_to(user).values_list("pk", flat=True))
        projects = Project.objects.visible_to(user)
        expected = set(
            ExitWarning.objects.filter(project__in=projects).values_list("pk", flat=True)
        )
        if user.enterprise_id and not user.groups.exclude(name="enterprise").exists():
            expected = set()  # enterprise users have no warnings desk
        assert seen == expected, name


@pytest.fixture
def crowded(world, targets):
    """The district's many warnings of other projects (one each: uniq_exit_warning)."""
    first = targets["in"]
    projects = Project.objects.bulk_create(
        Project(
            **{
                f.attname: getattr(world.project1_a, f.attname)
                for f in Project._meta.concrete_fields
                if not f.primary_key
            }
            | {"code": f"C{n:05d}", "name": f"项目{n}"}
        )
        for n in range(2000)
    )
    ExitWarning.objects.bulk_create(
        ExitWarning(
            district_id=first.district_id,
            project_id=p.pk,
            rule_id=first.rule_id,
            anchor_on=first.anchor_on,
            due_on=first.due_on,
            effective_due_on=first.effective_due_on,
            raised_on=first.raised_on,
        )
        for p in projects
    )
    with connection.cursor() as cursor:
        for table in (ExitWarning._meta.db_table, Project._meta.db_table):
            cursor.execute(f"ANALYZE {table}")
    return targets


def _unsorted(queryset) -> bool:
    found = plan(queryset)
    return "TEMP B-TREE" not in found and "Sort" not in found


@pytest.mark.parametrize("who", ["user_bureau", "user_leader", "user_supervisor"])
def test_the_desk_s_first_page_is_read_off_the_district_s_index(world, crowded, who):
    request = RequestFactory().get("/exits/")
    request.user = getattr(world, who)
    _form, warnings = filtered_warnings(request)
    first_page = warnings[:25]
    assert reads_index(first_page, "warning_district_recent")
    assert _unsorted(first_page)
    # the page's count (all but the excluded) off the index alone: what it reads is in it
    counted = plan(warnings.order_by().values_list("pk", "status"))
    assert re.search(r"(COVERING INDEX|Index Only Scan using) warning_district_recent\b", counted)


def test_the_api_s_first_page_is_read_off_the_district_s_index(world, crowded):
    view = ExitWarningViewSet()
    view.request = RequestFactory().get("/api/v1/warnings/")
    view.request.user = world.user_bureau
    first_page = view.get_queryset()[:25]
    assert reads_index(first_page, "warning_district_recent")
    assert _unsorted(first_page)


@pytest.fixture
def admin_client(client, world):
    user = world.user_admin
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def test_the_admin_s_changelist_is_read_off_the_district_s_index(admin_client, world, crowded):
    url = reverse("admin:exits_exitwarning_changelist")
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert not [q for q in ctx.captured_queries if "DISTINCT" in q["sql"]]
    changelist = response.context["cl"]
    assert reads_index(changelist.result_list, "warning_district_recent")
    assert _unsorted(changelist.result_list)
    page = response.content.decode()
    for code, _label in RuleCode.choices:  # every rule offered, warned of or not
        assert f"?rule__code={code}" in page
    only = admin_client.get(url, {"rule__code": RuleCode.NO_LAND}).context["cl"]
    assert only.result_count == 0
    assert admin_client.get(url, {"rule__code": RuleCode.NOT_STARTED}).context["cl"].result_count
