"""The change history (变更记录, ``core.history.history_rows`` and ``core/_history.html``)
reads as a person would: fields by their verbose names, choices by their labels (also a
plain field holding choice values, via the model's ``history_choices``), foreign keys by
name, moments in local time (Asia/Shanghai) like the rows' own — never a code, a raw
field name or a UTC timestamp (issue 18 point 5)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation

from zhaoshang.agreements.models import Obligation
from zhaoshang.agreements.services import save_agreement
from zhaoshang.core.history import _fields, field_label, history_rows
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project
from zhaoshang.service import services
from zhaoshang.service.choices import ReceiptResult
from zhaoshang.service.models import Receipt

pytestmark = pytest.mark.django_db

D = datetime.date
TERMS = {  # a major project's agreement states them all
    "start_by": D(2026, 9, 30),
    "completion_by": D(2027, 9, 30),
    "production_by": D(2027, 12, 31),
    "intensity": Decimal("200"),
    "intensity_by": D(2027, 12, 31),
    "tax": Decimal("1500"),
    "tax_by": D(2028, 12, 31),
    "jobs": 300,
    "jobs_by": D(2028, 6, 30),
    "output": None,
    "output_by": None,
    "energy": "单位产值能耗不高于0.35吨标准煤/万元",
    "energy_by": D(2028, 6, 30),
}


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _corrected_receipt(world) -> Receipt:
    receipt = services.file_receipt(
        world.user_secretary,
        world.project1_a,
        visited_on=datetime.date(2026, 6, 12),
        department=world.dept_works_a,
        handler_name="王建国",
        matter="施工许可证办理咨询",
        work_done="提交施工图审查合格书",
        result=ReceiptResult.IN_PROGRESS,
        problems="",
    )
    return services.correct_receipt(
        world.user_secretary,
        receipt,
        reason="部门与结果填错",
        result=ReceiptResult.DONE,
        department=world.dept_land_a,
    )


def test_a_change_shows_labels_names_and_local_time(world):
    receipt = _corrected_receipt(world)
    with translation.override("zh-hans"):
        rows = history_rows(receipt.history.all(), Receipt)
        changed = {label: (old, new) for label, old, new in rows[0].changes}
        assert rows[0].action == "~"
        # A choice: its labels, both sides.
        assert changed[_label(Receipt, "result")] == (
            str(ReceiptResult.IN_PROGRESS.label),
            str(ReceiptResult.DONE.label),
        )
        # A foreign key: the departments' names.
        assert changed[_label(Receipt, "department")] == (
            str(world.dept_works_a),
            str(world.dept_land_a),
        )
        # A moment: local time, as the row's own time is shown (10:00 in Shanghai, 02:00 UTC).
        local = timezone.localtime(receipt.corrected_at)
        assert local.utcoffset() == datetime.timedelta(hours=8)
        assert changed[_label(Receipt, "corrected_at")] == ("—", local.strftime("%Y-%m-%d %H:%M"))
        assert all("+00:00" not in new and "UTC" not in new for _, _, new in rows[0].changes)


def test_the_receipt_page_shows_the_same_history(world, client_for):
    receipt = _corrected_receipt(world)
    with translation.override("zh-hans"):
        html = (
            client_for("secretary")
            .get(reverse("service:receipt", args=[receipt.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
            .content.decode()
        )
        local = timezone.localtime(receipt.corrected_at).strftime("%Y-%m-%d %H:%M")
        for text in (
            f'<span class="text-muted">{_label(Receipt, "result")}</span>：',
            f"<del>{ReceiptResult.IN_PROGRESS.label}</del> → <ins>{ReceiptResult.DONE.label}</ins>",
            f"<del>{world.dept_works_a}</del> → <ins>{world.dept_land_a}</ins>",
            f"<ins>{local}</ins>",
        ):
            assert text in html, text
    assert 'data-testid="history"' in html and "+00:00" not in html
    assert ReceiptResult.DONE.value not in html.split('data-testid="history"')[1]


def test_a_plain_field_holding_choice_values_shows_their_labels(world):
    """An obligation's target stage is a plain field whose values are the project stages
    (``Obligation.history_choices``): "目标阶段：已开工", never "started"."""
    project = world.project1_a
    Project.objects.filter(pk=project.pk).update(
        signed_on=datetime.date(2026, 3, 2), stage=Stage.SIGNED
    )
    project.refresh_from_db()
    agreement = save_agreement(
        world.user_bureau,
        project,
        fields={
            "number": "TZXY-1",
            "signed_on": datetime.date(2026, 3, 2),
            "government_party": "测试区人民政府",
            "enterprise_party": "投资方",
            "other_parties": "",
            "contracted_investment": 50000,
            "land_area": 200,
            "service_clauses": "",
        },
        terms=TERMS,
        schedule=[(datetime.date(2026, 12, 31), Decimal("20000"))],
    )
    ob = Obligation.objects.get(agreement=agreement, target_stage=Stage.STARTED)
    with translation.override("zh-hans"):
        (created,) = history_rows(ob.history.all(), Obligation)
        values = {label: new for label, _, new in created.changes}
        assert values[_label(Obligation, "target_stage")] == str(Stage.STARTED.label)
        assert Stage.STARTED.value not in values.values()


def test_every_field_a_history_shows_has_a_chinese_name():
    """No history shows a raw field name ("project："): every field it shows has a Chinese
    name — its verbose name, or for a foreign key declared without one its model's."""
    raw = []
    with translation.override("zh-hans"):
        for historical in apps.get_models():
            model = getattr(historical, "instance_type", None)
            if model is None or not historical.__name__.startswith("Historical"):
                continue
            if model._meta.auto_created:  # many-to-many links: shown with their record
                continue
            raw += [
                f"{model._meta.label}.{f.name}" for f in _fields(model) if field_label(f).isascii()
            ]
    assert raw == []


def test_the_project_history_names_the_project_of_its_records(world, client_for):
    """The project's page mixes its own history with its funds', team's and reports': their
    ``project`` foreign key (declared without a verbose name) reads 项目, not "project";
    a funds entry's moment reads in local time."""
    from zhaoshang.projects.choices import FundsOrigin, FundsUse
    from zhaoshang.projects.models import FundsEntry

    entry = FundsEntry.objects.create(
        project=world.project1_a,
        received_on=D(2026, 6, 10),
        amount=Decimal("1200"),
        origin=FundsOrigin.values[0],
        use=FundsUse.values[0],
        recorded_by=world.user_bureau,
    )
    with translation.override("zh-hans"):
        html = (
            client_for("bureau")
            .get(reverse("projects:history", args=[world.project1_a.pk]))
            .content.decode()
        )
        recorded = timezone.localtime(entry.recorded_at).strftime("%Y-%m-%d %H:%M")
        assert f'<span class="text-muted">项目</span>：<ins>{world.project1_a}</ins>' in html
        assert f"<ins>{FundsOrigin(entry.origin).label}</ins>" in html
        assert f"<ins>{recorded}</ins>" in html
    assert ">project</span>" not in html and "+00:00" not in html


def test_the_limit_keeps_the_newest_records_not_the_first_objects(world):
    """Past the limit the newest changes are kept, whichever record they are about: a
    record with an older id and many changes does not push out a newer change of another."""
    first, second = sorted([world.project1_a, world.project2_a], key=lambda p: p.pk)
    for n in range(6):
        first.name = f"较早项目{n}"
        first.save()
    for name in ("较新项目甲", "较新项目乙"):
        second.name = name
        second.save()
    records = Project.history.filter(id__in=[first.pk, second.pk])
    rows = history_rows(records, Project, limit=2)
    news = [new for row in rows for _label_, _old, new in row.changes]
    assert "较新项目乙" in news
    assert len(rows) <= 2
