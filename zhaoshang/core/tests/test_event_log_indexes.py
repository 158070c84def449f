"""The domain events keep only the indexes a read needs (issue 19: each is written for every
event the daily scan logs). The admin's event log is listed as written and offers the verbs
the apps register, without a DISTINCT over the whole log; a person's deletion finds their
events off ``event_actor``, which holds the events someone did and none of the scan's."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core import clock
from zhaoshang.core.audit import EVENT_LABELS, event_label
from zhaoshang.core.models import DomainEvent
from zhaoshang.org.models import User
from zhaoshang.testing.plans import plan, reads_index


@pytest.fixture
def admin_client(client, world):
    user = world.user_admin
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def _event(world, summary, verb="project.updated", **fields):
    project = world.project1_a
    return DomainEvent.objects.create(
        verb=verb,
        summary=summary,
        district=world.district_a,
        content_type=ContentType.objects.get_for_model(project),
        object_id=project.pk,
        **fields,
    )


def test_the_event_log_lists_events_as_written_and_offers_the_registered_verbs(admin_client, world):
    earlier = clock.now() - datetime.timedelta(days=3)
    _event(world, "先写的事件")
    _event(world, "后写的早先事件", occurred_at=earlier)  # written last, dated earlier
    url = reverse("admin:core_domainevent_changelist")
    with CaptureQueriesContext(connection) as ctx:
        page = admin_client.get(url).content.decode()
    assert page.index("后写的早先事件") < page.index("先写的事件")
    assert not [q for q in ctx.captured_queries if "DISTINCT" in q["sql"]]
    unused = next(v for v in sorted(EVENT_LABELS) if v != "project.updated")
    assert f"?verb={unused}" in page and str(event_label(unused)) in page
    only = admin_client.get(url, {"verb": "project.deleted"}).content.decode()
    assert "先写的事件" not in only


def test_a_person_s_deletion_finds_their_events_off_the_index_of_acted_events(world):
    person = User.objects.create(username="acted")
    _event(world, "有人做的", actor=person)
    _event(world, "扫描写的")  # the daily scan's: nobody
    assert reads_index(DomainEvent.objects.filter(actor__in=[person.pk]), "event_actor")


@pytest.mark.parametrize("order", [("occurred_at", "id"), ("-occurred_at",)])
def test_a_record_s_events_are_read_in_order_off_its_own_range(world, order):
    """A record's page lists its events (``for_object``) off ``event_subject``, not every
    event of its kind in time order off ``event_recent`` (issue 19.3)."""
    _event(world, "一条")
    kind = ContentType.objects.get_for_model(world.project1_a)
    DomainEvent.objects.bulk_create(  # the kind's other records' (PostgreSQL plans on them)
        DomainEvent(verb="project.updated", content_type=kind, object_id=10_000 + n)
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {DomainEvent._meta.db_table}")
    events = DomainEvent.objects.for_object(world.project1_a).order_by(*order)
    assert reads_index(events, "event_subject")
    assert "TEMP B-TREE" not in plan(events) and "Sort" not in plan(events)
