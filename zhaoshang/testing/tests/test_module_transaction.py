"""``module_transaction`` rolls back what was written inside it, and refuses to open inside
a test's transaction (where the module's objects would vanish with the first test)."""

from __future__ import annotations

import pytest
from django.db import connection

from zhaoshang.testing.shared import module_transaction


def test_what_a_module_wrote_is_gone_after_it(django_db_setup, django_db_blocker):
    from zhaoshang.org.models import District

    with module_transaction(django_db_blocker), django_db_blocker.unblock():
        District.objects.create(code="zz", name="模块区", city="测试市")
        assert District.objects.filter(code="zz").exists()
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block
        assert not District.objects.filter(code="zz").exists()


def test_it_is_not_opened_inside_a_test_transaction(db, django_db_blocker):
    with pytest.raises(RuntimeError), module_transaction(django_db_blocker):
        pass
