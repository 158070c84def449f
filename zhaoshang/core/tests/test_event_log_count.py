"""A district's event log in the admin is counted once, no further than the paginator's cap
(issue 19.3: Django counts a changelist whole, twice, on every page — a district's log grows
without bound); past the cap the page says "more than"."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core.models import DomainEvent
from zhaoshang.core.paging import CappedCountPaginator


@pytest.fixture
def admin_client(client, world):
    user = world.user_admin
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def _events(world, n):
    kind = ContentType.objects.get_for_model(world.project1_a)
    DomainEvent.objects.bulk_create(
        DomainEvent(
            verb="project.updated",
            summary=f"事件{k}",
            district=world.district_a,
            content_type=kind,
            object_id=world.project1_a.pk,
        )
        for k in range(n)
    )


def _counts(ctx):
    return [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]


@pytest.mark.parametrize("more", [False, True])
@pytest.mark.parametrize(("language", "said"), [("zh-hans", "超过 4 条"), ("en", "more than 4")])
def test_the_event_log_is_counted_once_up_to_the_cap(
    admin_client, world, monkeypatch, more, language, said
):
    monkeypatch.setattr(CappedCountPaginator, "cap", 4)
    before = DomainEvent.objects.filter(district=world.district_a).count()
    _events(world, 5 - before if more else max(0, 3 - before))
    total = DomainEvent.objects.filter(district=world.district_a).count()
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(
            reverse("admin:core_domainevent_changelist"), HTTP_ACCEPT_LANGUAGE=language
        )
    assert response.status_code == 200
    counts = _counts(ctx)
    assert len(counts) == 1 and "LIMIT" in counts[0]
    page = response.content.decode()
    if more:
        # the search bar's count as well: not the cap's count plus one
        assert total > 4 and said in page and not re.search(r"\b5 (条结果|results)", page)
    else:
        assert total <= 4 and said not in page and f"{total} " in page


def test_the_services_records_are_listed_fifty_a_page(admin_client, world):
    """The read-only lists (records the services and the scan write by the thousand) show 50
    rows a page, not Django's 100: the change list costs about 0.8 ms a row to render."""
    from django.contrib import admin

    from zhaoshang.core.admin_base import ReadOnlyAdmin

    read_only = [a for a in admin.site._registry.values() if isinstance(a, ReadOnlyAdmin)]
    assert read_only and all(a.list_per_page == 50 for a in read_only)
    _events(world, 60)
    total = DomainEvent.objects.filter(district=world.district_a).count()
    url = reverse("admin:core_domainevent_changelist")
    first = admin_client.get(url)
    assert len(first.context["cl"].result_list) == 50
    last = admin_client.get(url, {"p": 2})
    assert len(last.context["cl"].result_list) == total - 50
