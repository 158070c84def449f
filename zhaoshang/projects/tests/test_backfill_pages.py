"""补录 on the pages (issue 20 point 1): the project page's evidence owed and its imported
events, the district-wide list and its filters, the secretary's home tile, the nav; and
the exit scan and the KPIs read imported dates as recorded ones."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from zhaoshang.core.models import ImportBatch
from zhaoshang.dashboard.homes import team as team_home
from zhaoshang.exits import services as exits
from zhaoshang.exits.choices import RuleCode, WarningStatus
from zhaoshang.exits.models import ExitWarning
from zhaoshang.kpis.services import compute
from zhaoshang.projects import services
from zhaoshang.projects.choices import Stage, TeamRole
from zhaoshang.projects.models import EvidenceOwed, MaterialType, Project, ProjectTeamMember
from zhaoshang.projects.services.backfill import import_history

D = datetime.date
BACKFILL = reverse("projects:backfill")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def imported(world, name="补录项目", stage=Stage.SIGNED, dates=None, park=None, batch=True):
    project = services.create_project(
        world.user_bureau,
        world.district_a,
        {
            "name": name,
            "park": park or world.park1_a,
            "enterprise": world.enterprise1_a,
            "total_investment": Decimal("5000"),
        },
    )
    the_batch = (
        ImportBatch.objects.create(
            district=world.district_a,
            kind="projects",
            file_name="东城台账.xlsx",
            created_by=world.user_bureau,
        )
        if batch
        else None
    )
    import_history(
        world.user_bureau,
        project,
        stage,
        dates or {Stage.SIGNED: D(2025, 4, 15)},
        batch=the_batch,
        source="东城台账.xlsx · 第 3 行",
    )
    return Project.objects.get(pk=project.pk)


def serve(world, project, who="user_secretary"):
    ProjectTeamMember.objects.create(
        project=project, user=getattr(world, who), role=TeamRole.SECRETARY
    )


def test_the_project_page_lists_the_evidence_owed_with_upload_links(client_for, world):
    project = imported(world)
    html = client_for("bureau").get(project.get_absolute_url()).content.decode()
    assert 'data-testid="evidence-owed"' in html
    agreement = MaterialType.objects.get(code="investment_agreement")
    assert f"{reverse('projects:documents', args=[project.pk])}?material={agreement.pk}" in html
    assert html.count("data-owed=") == EvidenceOwed.objects.filter(project=project).count()
    # The upload page opens on that material.
    page = client_for("bureau").get(
        reverse("projects:documents", args=[project.pk]), {"material": agreement.pk}
    )
    assert page.context["form"].initial == {"material_type": str(agreement.pk)}
    # Nothing owed on a project recorded stage by stage.
    html = client_for("bureau").get(world.project1_a.get_absolute_url()).content.decode()
    assert 'data-testid="evidence-owed"' not in html


def test_the_timeline_marks_imported_events_with_their_file(client_for, world):
    project = imported(world)
    html = client_for("bureau").get(reverse("projects:timeline", args=[project.pk])).content
    html = html.decode()
    assert html.count("data-imported") == 3  # negotiating, pre-review, signed
    assert "东城台账.xlsx" in html


def test_the_list_filters_by_mine_park_stage_and_material(client_for, world):
    mine = imported(world, name="我的补录项目")
    serve(world, mine)
    other = imported(
        world,
        name="别人的补录项目",
        stage=Stage.STARTED,
        dates={Stage.SIGNED: D(2025, 1, 1), Stage.STARTED: D(2025, 8, 1)},
        park=world.park2_a,
    )
    client = client_for("secretary")

    def listed(**query):
        response = client.get(BACKFILL, query)
        assert response.status_code == 200
        return {r.project_id for r in response.context["page"]}, response.context["count"]

    assert listed()[0] == {mine.pk, other.pk}
    projects, count = listed(mine="on")
    assert projects == {mine.pk}
    assert count == EvidenceOwed.objects.open().filter(project=mine).count()
    assert listed(park=world.park2_a.pk)[0] == {other.pk}
    assert listed(stage=Stage.STARTED)[0] == {other.pk}
    permit = MaterialType.objects.get(code="construction_permit")
    assert listed(material=permit.pk) == ({other.pk}, 1)
    # Another district's imports are not listed.
    assert not client_for("bureau_b").get(BACKFILL).context["count"]


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(
    client_for, world, django_assert_max_num_queries
):
    for k in range(6):
        imported(world, name=f"补录项目{k}", park=world.park1_a if k % 2 else world.park2_a)
    client = client_for("bureau")
    client.get(BACKFILL)  # warm the session and the content types
    with django_assert_max_num_queries(8):  # the user's roles read with the user since 19.2
        response = client.get(BACKFILL)
    assert (
        response.context["count"]
        == 6 * EvidenceOwed.objects.filter(project__name="补录项目0").count()
    )


def test_the_secretarys_home_counts_the_evidence_owed_on_their_projects(client_for, world):
    project = imported(world)
    serve(world, project)
    imported(world, name="没人负责的补录项目")
    request = RequestFactory().get("/")
    request.user = world.user_secretary
    section = team_home.section(request)
    tile = next(t for t in section.tiles if t.url.startswith(BACKFILL))
    assert tile.url == f"{BACKFILL}?mine=on"
    assert tile.count == EvidenceOwed.objects.open().filter(project=project).count()
    html = client_for("secretary").get(reverse("home")).content.decode()
    assert f'data-owed="{tile.count}"' in html
    # An upload that counts settles its row: the count goes down by one.
    agreement = MaterialType.objects.get(code="investment_agreement")
    services.upload_document(
        world.user_secretary,
        project,
        agreement,
        SimpleUploadedFile("协议.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    assert team_home.section(request).tiles[-1].count == tile.count - 1


def test_no_tile_where_nothing_was_imported(world):
    request = RequestFactory().get("/")
    request.user = world.user_secretary
    section = team_home.section(request)
    assert not any(t.url.startswith(BACKFILL) for t in section.tiles)


def test_the_registry_staff_find_the_list_in_the_menu(client_for):
    assert BACKFILL in client_for("bureau").get(reverse("home")).content.decode()
    assert BACKFILL not in client_for("department").get(reverse("home")).content.decode()


def test_the_exit_scan_reads_an_imported_signing(world):
    """Signed 14 months ago and never given land: the government's 签约未供地 rule (six
    months from signing) warns of it as of a recorded signing."""
    project = imported(world, dates={Stage.SIGNED: D(2025, 4, 15)})
    exits.scan()
    warnings = dict(ExitWarning.objects.filter(project=project).values_list("rule__code", "status"))
    assert warnings.get(RuleCode.NO_LAND) == WarningStatus.WARNING


def test_the_exit_scan_reads_an_imported_land_delivery(world):
    project = imported(
        world,
        stage=Stage.LAND_DELIVERED,
        dates={Stage.SIGNED: D(2025, 4, 15), Stage.LAND_DELIVERED: D(2025, 9, 1)},
    )
    exits.scan()
    warnings = dict(ExitWarning.objects.filter(project=project).values_list("rule__code", "status"))
    assert warnings.get(RuleCode.NOT_STARTED) == WarningStatus.WARNING
    assert RuleCode.NO_LAND not in warnings


def test_the_kpis_count_an_imported_project_in_its_signing_year(world):
    district = Project.objects.filter(district=world.district_a)
    before = compute(district, 2025)
    imported(
        world,
        stage=Stage.STARTED,
        dates={Stage.SIGNED: D(2025, 4, 15), Stage.STARTED: D(2025, 10, 8)},
    )
    after = compute(district, 2025)
    assert after.signed_count == before.signed_count + 1
    assert after.started == before.started + 1
    assert after.signed_investment == before.signed_investment + Decimal("5000")


def test_the_stage_page_says_the_import_awaits_confirmation(client_for, world):
    project = imported(world)
    response = client_for("bureau").get(reverse("projects:stage", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-pending"' in html and "东城台账.xlsx" in html
    batch = project.stage_events.first().import_batch
    ImportBatch.objects.filter(pk=batch.pk).update(confirmed_at=batch.created_at)
    html = client_for("bureau").get(reverse("projects:stage", args=[project.pk])).content
    assert b'data-testid="import-pending"' not in html


def test_the_list_offers_an_upload_only_to_who_may_record_the_documents(client_for, world):
    mine = imported(world, name="我的补录项目")
    ProjectTeamMember.objects.create(
        project=mine, user=world.user_manager, role=TeamRole.MANAGER
    )  # (a county leader, no registry editor)
    other = imported(world, name="别人的补录项目")

    def uploads(who):
        response = client_for(who).get(BACKFILL)
        assert response.status_code == 200
        rows = list(response.context["page"])
        assert rows
        return {r.project_id for r in rows if r.can_upload}

    assert uploads("bureau") == {mine.pk, other.pk}  # the registry's editors
    assert uploads("manager") == {mine.pk}  # the team of their own project
    assert uploads("supervisor") == set()  # reads the list, records nothing
