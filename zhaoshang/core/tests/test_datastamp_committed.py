"""``core.datastamp`` outside a test's transaction (``committed_db``): a write in autocommit
gives the shared row a new value at once, one inside a transaction when it commits, one
rolled back never; an emptied table gets its row back."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from zhaoshang.core import datastamp


def test_in_autocommit_a_write_gives_the_shared_row_a_new_value(committed_db):
    before = datastamp.read()
    assert not connection.in_atomic_block
    from zhaoshang.org.models import District

    District.objects.create(code="zz", name="新区", city="测试市")
    after = datastamp.read()
    assert after[0] != before[0] and after[1] != before[1]
    with transaction.atomic():
        District.objects.filter(code="zz").update(name="新区二")
        assert datastamp.read()[0] == after[0]  # not yet committed
    assert datastamp.read()[0] != after[0]  # committed
    current = datastamp.read()
    with pytest.raises(RuntimeError), transaction.atomic():
        District.objects.filter(code="zz").update(name="新区三")
        raise RuntimeError
    assert datastamp.read()[0] == current[0]  # rolled back: nothing changed for the others


def test_an_emptied_stamp_table_gets_a_new_value(committed_db):
    from zhaoshang.core.models import DataStamp

    DataStamp.objects.all().delete()
    stamp = datastamp.read()
    assert stamp is not None and DataStamp.objects.get(pk=1).value == stamp[0]


def test_a_district_s_commit_renews_its_row_and_every_write_s_alone(committed_db):
    from django.test import RequestFactory

    from zhaoshang.org.models import District, User

    first = District.objects.create(code="d1", name="一区", city="测试市")
    second = District.objects.create(code="d2", name="二区", city="测试市")
    person = User.objects.create(username="d1-person", district=first)
    scopes = (datastamp.GLOBAL, datastamp.ANY, -first.pk, -second.pk)
    before = datastamp.read(scopes=scopes)
    request = RequestFactory().post("/")
    request.user = person
    with datastamp.attributed(request), transaction.atomic():
        District.objects.filter(pk=first.pk).update(name="一区（新）")
        assert datastamp.read(scopes=scopes)[:4] == before[:4]  # not yet committed
    after = datastamp.read(scopes=scopes)
    assert after[0] == before[0] and after[3] == before[3]  # the global row, the other district
    assert after[1] != before[1] and after[2] != before[2]  # every write's, its district's
