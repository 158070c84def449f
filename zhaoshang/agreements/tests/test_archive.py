"""Filing to the park committee's archive (报园区管委会存档): a filed version is read-only —
the model refuses to change or delete it, the admin and the API have no way to, no page
route edits it — a later change is filed as a new version, and versions compare."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from zhaoshang.agreements import services
from zhaoshang.agreements.models import ArchiveVersion, Commitment, ImmutableRecord
from zhaoshang.agreements.schedule import Step
from zhaoshang.agreements.tests.conftest import day
from zhaoshang.notifications.models import Notification
from zhaoshang.org.models import User


@pytest.fixture
def filed(world, make_commitment):
    commitment = make_commitment()
    version = services.file_commitment(world.user_department, commitment, note="首次报送")
    return commitment, version


def _fingerprint(version: ArchiveVersion):
    fresh = ArchiveVersion.objects.get(pk=version.pk)
    return (fresh.number, fresh.filed_at, fresh.filed_by_id, fresh.note, fresh.content_sha256)


def test_filing_keeps_the_plan_the_filer_the_moment_and_tells_the_committee(world, filed):
    commitment, version = filed
    assert version.number == 1 and version.filed_by == world.user_department
    assert version.park == world.park1_a and version.committee == world.dept_committee_a
    assert version.is_intact
    content = version.content
    assert content["commitment"]["title"] == commitment.title
    assert content["commitment"]["department"] == {"id": world.dept_works_a.pk, "name": "区建设局"}
    assert [m["name"] for m in content["milestones"]] == [
        "施工图审查",
        "质量安全监督备案",
        "施工许可核发",
    ]
    assert content["milestones"][-1]["due_on"] == "2026-07-31"
    commitment.refresh_from_db()
    assert (commitment.filed_version, commitment.changed_since_filing) == (1, False)
    assert Notification.objects.filter(
        recipient=world.user_park, verb="commitment.filed", url=version.get_absolute_url()
    ).exists()


def test_the_model_refuses_to_change_or_delete_a_filed_version(filed):
    _commitment, version = filed
    before = _fingerprint(version)
    version.note = "改过"
    with pytest.raises(ImmutableRecord):
        version.save()
    with pytest.raises(ImmutableRecord):
        version.delete()
    with pytest.raises(ImmutableRecord):
        ArchiveVersion.objects.filter(pk=version.pk).update(note="改过")
    assert _fingerprint(version) == before


def test_the_admin_shows_a_filed_version_and_changes_nothing(world, filed):
    _commitment, version = filed
    root = User.objects.create_superuser("root", "root@example.org", "Root@2026pw!")
    client = Client()
    client.force_login(root)
    change = reverse("admin:agreements_archiveversion_change", args=[version.pk])
    before = _fingerprint(version)
    assert client.get(change).status_code == 200  # read-only view
    assert client.post(change, {"note": "改过"}).status_code == 403
    delete = reverse("admin:agreements_archiveversion_delete", args=[version.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:agreements_archiveversion_add")).status_code == 403
    changelist = reverse("admin:agreements_archiveversion_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [version.pk]}
    )
    assert response.status_code in (200, 302)
    assert _fingerprint(version) == before


def test_the_api_reads_filed_versions_and_has_no_way_to_change_them(world, client_for, filed):
    _commitment, version = filed
    client = client_for("admin")
    url = f"/api/v1/archive-versions/{version.pk}/"
    before = _fingerprint(version)
    assert client.get(url).json()["content_sha256"] == version.content_sha256
    body = {"note": "改过", "content": {}}
    assert client.put(url, body, content_type="application/json").status_code == 405
    assert client.patch(url, body, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert (
        client.post("/api/v1/archive-versions/", body, content_type="application/json").status_code
        == 405
    )
    assert _fingerprint(version) == before


def test_no_page_route_changes_a_filed_version(world, client_for, filed):
    commitment, version = filed
    client = client_for("admin")
    before = _fingerprint(version)
    for url in (
        reverse("agreements:version", args=[version.pk]),
        reverse("agreements:compare", args=[commitment.pk]),
        reverse("agreements:archive"),
    ):
        assert client.post(url, {"note": "改过"}).status_code == 405
    # A change approved is filed as version 2 and leaves version 1 as it was.
    last = commitment.milestones.order_by("seq").last()
    change = services.request_change(
        world.user_department,
        commitment,
        moves=[(last, day("2026-08-14"))],
        target_on=day("2026-08-14"),
        reason="施工图审查意见整改",
    )
    services.approve_change(world.user_park, change)
    client.post(reverse("agreements:commitment_file", args=[commitment.pk]), {"version": 99})
    assert _fingerprint(version) == before
    assert (
        ArchiveVersion.objects.get(pk=version.pk).content["commitment"]["target_on"] == "2026-07-31"
    )


def test_a_later_change_is_filed_as_a_new_version_and_the_old_one_stays(world, filed):
    commitment, v1 = filed
    with pytest.raises(ValidationError, match="nothing has changed"):
        services.file_commitment(world.user_department, commitment)
    milestones = list(commitment.milestones.order_by("seq"))
    # The department cannot plan a filed schedule again itself ...
    with pytest.raises(ValidationError, match="change request approved"):
        services.replan_commitment(
            world.user_department,
            commitment,
            steps=[(m.pk, Step(m.name, m.duration_workdays)) for m in milestones],
            target_on=day("2026-08-14"),
        )
    # ... it asks; the park committee approves, and version 2 is filed at once.
    change = services.request_change(
        world.user_department,
        commitment,
        moves=[(milestones[1], day("2026-08-07")), (milestones[2], day("2026-08-14"))],
        target_on=day("2026-08-14"),
        reason="消防设计审查需补充材料",
    )
    v2 = services.approve_change(world.user_park, change)
    assert v2.number == 2
    commitment.refresh_from_db()
    assert (commitment.filed_version, commitment.changed_since_filing) == (2, False)
    assert ArchiveVersion.objects.get(pk=v1.pk).content == v1.content
    assert v1.content["commitment"]["target_on"] == "2026-07-31"
    assert v2.content["commitment"]["target_on"] == "2026-08-14"
    diff = services.compare_versions(v1.content, v2.content)
    assert [f["key"] for f in diff["fields"] if f["changed"]] == ["target_on"]
    states = [row["state"] for row in diff["milestones"]]
    assert states == ["same", "changed", "changed"]


def test_the_compare_page_shows_the_differences(world, client_for, filed):
    commitment, _v1 = filed
    change = services.request_change(
        world.user_department,
        commitment,
        moves=[(commitment.milestones.order_by("seq").first(), day("2026-07-20"))],
        reason="联席会议决定调整",
    )
    services.approve_change(world.user_supervisor, change)
    response = client_for("park").get(reverse("agreements:compare", args=[commitment.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="changed"' in html and "2026-07-17" in html and "2026-07-20" in html
    assert 'data-state="same"' in html


def test_filing_needs_a_park_committee(world, make_commitment, make_agreement):
    # project2_a lies in park2, which has no committee.
    commitment = make_commitment(project=world.project2_a, department=world.dept_land_a)
    with pytest.raises(ValidationError, match="no management committee"):
        services.file_commitment(world.user_bureau, commitment)
    assert not ArchiveVersion.objects.filter(commitment=commitment).exists()


def test_a_filed_commitment_is_not_deleted(world, filed):
    commitment, _version = filed
    with pytest.raises(ValidationError, match="archive"):
        services.delete_commitment(world.user_bureau, commitment)
    assert Commitment.objects.filter(pk=commitment.pk).exists()


def test_the_park_committee_sees_the_archive_of_its_parks_only(
    world, client_for, filed, make_commitment
):
    _commitment, version = filed
    other = make_commitment(project=world.project1_b, department=world.dept_works_b)
    services.file_commitment(world.user_bureau_b, other)
    response = client_for("park").get(reverse("agreements:archive"))
    html = response.content.decode()
    assert f'data-version="{version.pk}"' in html
    assert html.count("data-version=") == 1
    # a park user of the committee is told; no one else's inbox gets it
    assert not Notification.objects.filter(
        verb="commitment.filed", recipient=world.user_bureau
    ).exists()
