"""Several further obligations added at once (the departments' duties recorded with the
agreement): each checked as one is, with its history row and event; all or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import Obligation
from zhaoshang.agreements.tests.conftest import day
from zhaoshang.core.models import DomainEvent


def _row(world, **extra):
    row = {"party": Party.DEPARTMENT, "department": world.dept_land_a, "title": "交付净地"}
    row |= {"kind": ObligationKind.SERVICE, "target_text": "完成场地平整并移交"}
    return row | {"due_on": day("2026-08-31")} | extra


def test_several_obligations_at_once(world, make_agreement):
    agreement = make_agreement()
    rows = [_row(world), _row(world, title="供电接入", due_on=day("2026-10-31"))]
    added = services.add_obligations(world.user_bureau, agreement, rows)
    assert [ob.title for ob in added] == ["交付净地", "供电接入"]
    for ob in added:
        assert ob.pk and ob.history.get().history_user == world.user_bureau
    added_events = DomainEvent.objects.filter(verb="obligation.added")
    assert sorted(added_events.values_list("object_id", flat=True)) == sorted(o.pk for o in added)


def test_a_bad_row_saves_none(world, make_agreement):
    agreement = make_agreement()
    before = Obligation.objects.count()
    with pytest.raises(ValidationError):
        services.add_obligations(world.user_bureau, agreement, [_row(world), _row(world, title="")])
    assert Obligation.objects.count() == before
