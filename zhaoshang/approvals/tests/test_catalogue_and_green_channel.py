"""The catalogue's prerequisite graph, the green channel, joint decisions and the forecast."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.catalogue import ITEMS, NOT_IN_GREEN_CHANNEL, seed_catalogue
from zhaoshang.approvals.choices import CaseStatus, ItemLevel, LimitUnit, Phase
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.approvals.tests.conftest import day


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_seeded_catalogue_is_a_graph_without_cycles(catalogue):
    assert len(catalogue) == len(ITEMS)
    edges = services.prerequisite_edges(catalogue["XM-01"].district_id)
    for item in catalogue.values():
        assert services.find_cycle(item.pk, edges.get(item.pk, ()), edges) is None
    assert set(catalogue["SG-01"].prerequisites.values_list("code", flat=True)) == {
        "GC-01",
        "GC-02",
        "GC-03",
        "XM-04",
    }


def test_the_catalogue_ships_the_water_abstraction_permit(world, catalogue):
    """取水许可: the water authority's item, 45 working days by its regulation (its statutory
    limit), promised in 10 under the special procedure, after the project filing;
    registered one by one (only plants drawing their own water need it)."""
    item = catalogue["XM-08"]
    assert item.name == "取水许可"
    assert item.department == catalogue["XM-07"].department  # 区水务局, as 水土保持
    assert item.department.short_name == "水务局"
    assert (item.level, item.phase) == (ItemLevel.DISTRICT, Phase.PROJECT_LAND)
    assert (item.time_limit, item.time_limit_unit) == (10, LimitUnit.WORKDAY)
    assert (item.statutory_limit, item.statutory_limit_unit) == (45, LimitUnit.WORKDAY)
    assert item.special_procedure
    assert not item.in_green_channel
    assert list(item.prerequisites.values_list("code", flat=True)) == ["XM-01"]
    assert list(item.materials.values_list("code", flat=True)) == [
        "feasibility_study",
        "water_resource_report",  # 水资源论证报告
    ]
    assert item.materials.get(code="water_resource_report").name == "水资源论证报告"
    assert "取水许可" in item.legal_basis
    assert catalogue["XM-07"].sort_order < item.sort_order < catalogue["GC-01"].sort_order


def test_seeding_again_completes_an_older_catalogue(world, catalogue):
    """A district seeded before XM-08 shipped gets it; its own settings stay."""
    ApprovalItem.objects.filter(pk=catalogue["XM-05"].pk).update(time_limit=7, sort_order=55)
    ApprovalItem.objects.filter(pk=catalogue["XM-08"].pk).delete()
    again = {i.code: i for i in seed_catalogue(world.district_a)}
    assert (again["XM-08"].time_limit, again["XM-08"].statutory_limit) == (10, 45)
    assert list(again["XM-08"].prerequisites.values_list("code", flat=True)) == ["XM-01"]
    assert (again["XM-05"].time_limit, again["XM-05"].sort_order) == (7, 55)
    assert again["GC-01"].sort_order == catalogue["GC-01"].sort_order


def test_a_cycle_is_rejected_with_the_cycle_named(world, catalogue):
    with pytest.raises(ValidationError) as exc:
        services.set_prerequisites(world.user_admin, catalogue["XM-01"], [catalogue["GC-01"]])
    message = str(exc.value)
    assert "cycle" in message
    for name in (
        "企业投资项目备案",
        "建设工程规划许可证",
        "建设用地规划许可证",
        "用地预审与选址意见书",
    ):
        assert name in message
    assert not catalogue["XM-01"].prerequisites.exists()


def test_only_admins_edit_the_catalogue(world, catalogue):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_prerequisites(world.user_bureau, catalogue["XM-05"], [])


def test_green_channel_registers_every_case_at_once_with_the_agent(world, catalogue):
    project = world.project1_a
    project.is_green_channel = True
    project.save()
    cases = services.register_green_channel(
        world.user_service_center, project, world.user_service_center
    )
    assert len(cases) == len(ITEMS) - len(NOT_IN_GREEN_CHANNEL)
    assert {c.item.code for c in cases}.isdisjoint(NOT_IN_GREEN_CHANNEL)
    assert set(ApprovalCase.objects.filter(project=project).values_list("agent", flat=True)) == {
        world.user_service_center.pk
    }
    assert (
        services.register_green_channel(
            world.user_service_center, project, world.user_service_center
        )
        == []
    )


def test_only_green_channel_projects_register_at_once(world, catalogue):
    with pytest.raises(ValidationError):
        services.register_green_channel(
            world.user_service_center, world.project2_a, world.user_service_center
        )


def test_cases_whose_prerequisites_are_done_run_in_parallel(world, catalogue, handler_for):
    project = world.project1_a
    project.is_green_channel = True
    project.save()
    services.register_green_channel(world.user_service_center, project, world.user_service_center)
    cases = {
        c.item.code: c for c in ApprovalCase.objects.filter(project=project).select_related("item")
    }
    first = cases["XM-01"]
    h = handler_for(first.item)
    first = services.mark_materials_complete(h, first, day("2026-06-15"))
    with pytest.raises(ValidationError) as exc:
        eia = cases["XM-04"]
        eia = services.mark_materials_complete(handler_for(eia.item), eia, day("2026-06-15"))
        services.accept_case(handler_for(eia.item), eia, day("2026-06-15"))
    assert "企业投资项目备案" in str(exc.value)
    services.accept_case(h, first, day("2026-06-15"))
    services.complete_case(h, first, day("2026-06-15"))
    # Now 环评, 节能, 安全, 水保 and 用地预审 all can be accepted the same day (并联审批).
    for code in ("XM-02", "XM-04", "XM-05", "XM-06", "XM-07"):
        case = ApprovalCase.objects.get(pk=cases[code].pk)
        handler = handler_for(case.item)
        case = services.mark_materials_complete(handler, case, day("2026-06-15"))
        assert services.accept_case(handler, case, day("2026-06-15")).status == CaseStatus.ACCEPTED


def test_joint_decision_approves_mutual_prerequisites_together(world, catalogue, handler_for):
    project = world.project1_a
    filing = services.register_case(world.user_service_center, project, catalogue["XM-01"])
    energy = services.register_case(world.user_service_center, project, catalogue["XM-05"])
    decision = services.record_joint_decision(
        world.user_leader, project, [filing, energy], day("2026-06-15"), "东城联席〔2026〕3号"
    )
    filing.refresh_from_db()
    energy.refresh_from_db()
    assert filing.due_on == energy.due_on == decision.common_due_on == day("2026-06-18")
    handler = handler_for(energy.item)  # both are 发改 items
    # 节能审查 needs 备案 first — waived by the joint decision (同时审批).
    services.accept_case(handler, energy, day("2026-06-15"))
    with pytest.raises(ValidationError):
        services.complete_case(handler, ApprovalCase.objects.get(pk=energy.pk), day("2026-06-15"))
    services.accept_case(handler, ApprovalCase.objects.get(pk=filing.pk), day("2026-06-15"))
    done = services.complete_case(
        handler, ApprovalCase.objects.get(pk=energy.pk), day("2026-06-15")
    )
    assert {c.pk for c in done} == {filing.pk, energy.pk}  # 同时办结
    assert set(
        ApprovalCase.objects.filter(joint_decision=decision).values_list("done_on", flat=True)
    ) == {day("2026-06-15")}


def test_joint_decision_needs_linked_items(world, catalogue):
    a = services.register_case(world.user_service_center, world.project1_a, catalogue["XM-05"])
    b = services.register_case(world.user_service_center, world.project1_a, catalogue["XM-06"])
    with pytest.raises(ValidationError) as exc:
        services.record_joint_decision(
            world.user_leader, world.project1_a, [a, b], day("2026-06-15"), "x"
        )
    assert "parallel" in str(exc.value)


def test_forecast_follows_the_critical_path(world, catalogue, handler_for):
    project = world.project1_a
    project.is_green_channel = True
    project.save()
    services.register_green_channel(world.user_service_center, project, world.user_service_center)
    result = services.forecast(project, day("2026-06-15"))
    codes = [c.item.code for c in result.critical_path]
    assert codes[0] == "XM-01" and codes[-1] in {"JG-03", "SZ-01"}
    assert result.holding_case.item.code == "XM-01"
    # The chain 备案 → 用地预审 → 用地规划 → 工程规划 → 施工图 → 消防设计 → 施工许可 → 消防验收 → 竣工备案,
    # or 环评 (20 days) on the way to 施工许可: the later one decides.
    assert result.all_done_by.date > day("2026-07-15")
    first = ApprovalCase.objects.get(project=project, item__code="XM-01")
    h = handler_for(first.item)
    first = services.mark_materials_complete(h, first, day("2026-06-15"))
    first = services.accept_case(h, first, day("2026-06-15"))
    services.complete_case(h, first, day("2026-06-15"))
    after = services.forecast(project, day("2026-06-15"))
    assert after.holding_case.item.code != "XM-01"
    assert after.all_done_by.date <= result.all_done_by.date
