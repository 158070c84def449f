"""A write that committed answers success even when reading the record back fails."""

from __future__ import annotations

import datetime

from zhaoshang.api.viewsets import ScopedModelViewSet
from zhaoshang.approvals.api import ApprovalCaseSerializer
from zhaoshang.approvals.models import ApprovalCase


def test_an_action_that_committed_answers_success_when_the_read_back_fails(
    world, client_for, monkeypatch
):
    case = world.case_a

    def broken(self, instance):
        raise RuntimeError("read-back failure")

    monkeypatch.setattr(ApprovalCaseSerializer, "to_representation", broken)
    response = client_for("department").post(
        f"/api/v1/approval-cases/{case.pk}/materials-complete/",
        {"materials_complete_on": "2026-06-15"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.json()["id"] == case.pk
    assert "Saved" in response.json()["detail"]
    case = ApprovalCase.objects.get(pk=case.pk)
    assert case.materials_complete_on == datetime.date(2026, 6, 15)


def test_every_resource_that_reads_back_is_covered():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    reading_back = [cls for cls in subclasses(ScopedModelViewSet) if "_respond" in vars(cls)]
    assert len(reading_back) > 10
    for cls in reading_back:
        assert getattr(cls._respond, "answers_after_commit", False), cls
