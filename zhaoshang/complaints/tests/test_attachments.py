"""Attachments of a complaint (SPEC §9): one file when it is received, more later from the
receivers, the supervision office and the department complained about; a bad file is
refused naming the field and saves nothing; downloads are scoped like the complaint."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.complaints import services
from zhaoshang.complaints.models import Complaint, ComplaintAttachment
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.core.models import DomainEvent

pytestmark = pytest.mark.usefixtures("english")


def pdf(name="罚款单.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 fine notice", content_type="application/pdf")


def test_receive_with_an_attachment(world):
    complaint = make_complaint(world, attachment=pdf())
    attachment = complaint.attachments.get()
    assert attachment.original_name == "罚款单.pdf"
    assert attachment.uploaded_by == world.user_supervisor
    assert attachment.file.name.startswith(f"complaints/{world.district_a.pk}/{complaint.pk}/")
    assert attachment.file.read() == b"%PDF-1.4 fine notice"
    verbs = DomainEvent.objects.for_object(complaint).values_list("verb", flat=True)
    assert "complaint.attachment_added" in verbs


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("run.exe", b"MZ..."), "is not an accepted file type"),
        (SimpleUploadedFile("fake.pdf", b"not a pdf at all"), ""),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_saved(world, upload, message):
    with pytest.raises(ValidationError) as exc:
        make_complaint(world, attachment=upload)
    assert list(exc.value.message_dict) == ["attachment"]
    assert message in exc.value.message_dict["attachment"][0]
    assert not Complaint.objects.exists() and not ComplaintAttachment.objects.exists()
    complaint = make_complaint(world)
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(world.user_department, complaint, file=upload)
    assert list(exc.value.message_dict) == ["file"]
    assert not ComplaintAttachment.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(world.user_department, complaint, file=None)
    assert exc.value.message_dict == {"file": ["Choose the file to attach."]}
    complaint.refresh_from_db()
    assert complaint.version == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("supervisor", True),
        ("bureau", True),
        ("department", True),  # the department complained about
        ("admin", True),
        ("leader", False),
        ("park", False),
        ("city", False),
    ],
)
def test_who_attaches_later(world, who, allowed):
    complaint = make_complaint(world)
    user = getattr(world, f"user_{who}")
    if allowed:
        services.add_attachment(user, complaint, file=pdf("整改报告.pdf"))
        assert complaint.attachments.get().uploaded_by == user
        complaint.refresh_from_db()
        assert complaint.version == 1  # the complaint itself did not change
    else:
        with pytest.raises(PermissionDenied):
            services.add_attachment(user, complaint, file=pdf())
        assert not ComplaintAttachment.objects.exists()


def test_another_department_cannot_attach(world):
    complaint = make_complaint(world, department=world.dept_land_a)
    with pytest.raises(PermissionDenied):
        services.add_attachment(world.user_department, complaint, file=pdf())


def test_the_page_lists_uploads_and_downloads_in_scope(client_for, world):
    client = client_for("supervisor")
    response = client.post(
        reverse("complaints:create"),
        {
            "enterprise": world.project1_a.enterprise_id,
            "department": world.dept_works_a.pk,
            "channel": "visit",
            "category": "fees",
            "text": "收取无依据的费用。",
            "attachment": pdf("收据.pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    complaint = Complaint.objects.get()
    department = client_for("department")
    response = department.post(
        reverse("complaints:attach", args=[complaint.pk]), {"file": pdf("说明.pdf")}
    )
    assert response.status_code == 302
    response = department.post(
        reverse("complaints:attach", args=[complaint.pk]),
        {"file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert response.status_code == 400
    assert 'data-field="file"' in response.content.decode()
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "收据.pdf" in page and "说明.pdf" in page
    first = complaint.attachments.order_by("id").first()
    download = client.get(first.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 fine notice"
    assert client_for("bureau_b").get(first.get_absolute_url()).status_code == 404
    # An attachment reached through another complaint's URL is not found either.
    other = make_complaint(world)
    wrong = reverse("complaints:attachment", args=[other.pk, first.pk])
    assert client.get(wrong).status_code == 404
