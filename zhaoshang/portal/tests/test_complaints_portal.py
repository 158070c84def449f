"""The enterprise's complaints in the service hall: lodged by its contact (channel 企业门户,
every problem at once), its deadlines and the supervision office's finding followed, the
answer rated — 不满意 reopening it once — and the closing rating recorded against the
department (好差评)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.complaints import services
from zhaoshang.complaints.choices import Channel, ComplaintStatus
from zhaoshang.complaints.forms import ReceiveForm
from zhaoshang.complaints.models import Complaint, ComplaintAttachment
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.ratings.models import Rating


def _pdf(name: str = "罚款单.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 fine", content_type="application/pdf")


def _lodge(client, world, **extra):
    data = {
        "category": "fines",
        "department": world.dept_works_a.pk,
        "project": world.project1_a.pk,
        "text": "执法人员对同一事项重复罚款。",
        "contact_name": "王经理",
        "contact_phone": "13800000000",
    }
    data.update(extra)
    return client.post(reverse("portal:complaint_new"), data)


def _answered(world, complaint, outcome="partly"):
    complaint = services.dispatch_complaint(world.user_supervisor, complaint)
    complaint = services.accept_complaint(world.user_department, complaint)
    complaint = services.answer_complaint(
        world.user_department, complaint, department_view="unfounded", account="内部情况说明"
    )
    return services.verify_complaint(
        world.user_supervisor,
        complaint,
        outcome=outcome,
        finding_reason="调取执法记录核实。",
        answer="经核实，部分属实，已责令退还。",
        overrule_reason="执法记录显示重复处罚。",
    )


def test_the_contact_lodges_through_the_portal(world, client_for):
    client = client_for("enterprise")
    form = client.get(reverse("portal:complaint_new")).context["form"]
    assert form.initial["contact_name"] == world.user_enterprise.display_name
    response = _lodge(client, world, attachments=[_pdf()])
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:complaint", args=[complaint.pk])
    assert complaint.channel == Channel.PORTAL and complaint.received_by == world.user_enterprise
    assert complaint.enterprise == world.enterprise1_a and complaint.status == "received"
    assert complaint.attachments.get().original_name == "罚款单.pdf"
    page = client.get(response["Location"]).content.decode()
    assert complaint.number in page and "罚款单.pdf" in page


def test_every_problem_is_said_at_once_and_nothing_is_kept(world, client_for):
    bad = SimpleUploadedFile("fake.pdf", b"not a pdf", content_type="application/pdf")
    response = _lodge(
        client_for("enterprise"), world, category="", department="", text="", attachments=[bad]
    )
    assert response.status_code == 400
    assert {"category", "department", "text", "attachments"} <= set(response.context["form"].errors)
    assert not Complaint.objects.exists() and not ComplaintAttachment.objects.exists()


def test_the_staff_form_no_longer_offers_the_portal_channel(world):
    channels = dict(ReceiveForm(district_id=world.district_a.pk).fields["channel"].choices)
    assert Channel.PORTAL not in channels and Channel.PHONE in channels
    with pytest.raises(ValidationError) as exc:
        make_complaint(world, by=world.user_enterprise, channel="phone")
    assert set(exc.value.message_dict) == {"channel"}


@pytest.mark.parametrize("consent", [False, True])
def test_the_contact_is_hidden_from_the_department_without_consent(world, client_for, consent):
    _lodge(client_for("enterprise"), world, contact_consent="on" if consent else "")
    complaint = Complaint.objects.get()
    assert complaint.contact_consent is consent
    shown = complaint.contact_for(world.user_department)
    assert shown["phone"] == ("13800000000" if consent else "")
    assert complaint.contact_for(world.user_supervisor)["phone"] == "13800000000"
    staff_page = client_for("department").get(complaint.get_absolute_url()).content.decode()
    assert ("13800000000" in staff_page) is consent


def test_the_enterprise_reads_the_finding_not_the_departments_account(world, client_for):
    client = client_for("enterprise")
    _lodge(client, world)
    complaint = _answered(world, Complaint.objects.get())
    page = client.get(reverse("portal:complaint", args=[complaint.pk])).content.decode()
    assert "经核实，部分属实，已责令退还。" in page and "rate-form" in page
    assert "内部情况说明" not in page and "调取执法记录核实" not in page
    row = client.get(f"/api/v1/portal/complaints/{complaint.pk}/").json()
    assert row["outcome"] == "partly" and "account" not in row and "department_view" not in row


def test_dissatisfied_reopens_once_then_the_rating_closes_it(world, client_for):
    client = client_for("enterprise")
    _lodge(client, world)
    complaint = _answered(world, Complaint.objects.get())
    rate = reverse("portal:complaint_rate", args=[complaint.pk])
    refused = client.post(rate, {"score": "dissatisfied"})
    assert refused.status_code == 400 and "reason" in refused.context["rate_form"].errors
    assert client.post(rate, {"score": "dissatisfied", "reason": "未退还罚款。"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACCEPTED and complaint.reopened
    assert not Rating.objects.exists()  # reopened: not yet the rating of record
    assert client.post(rate, {"score": "satisfied"}).status_code == 400  # not answered again
    complaint = services.answer_complaint(
        world.user_department, complaint, department_view="partly", account="已退还。"
    )
    complaint = services.verify_complaint(
        world.user_supervisor,
        complaint,
        outcome="partly",
        finding_reason="已核实退款凭证。",
        answer="罚款已退还。",
    )
    assert client.post(rate, {"score": "dissatisfied", "reason": "仍不满意。"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED  # reopened only once
    rating = Rating.objects.get()
    assert (rating.subject_kind, rating.subject_id) == ("complaint", complaint.pk)
    assert rating.department == world.dept_works_a and rating.score == "dissatisfied"
    assert rating.reason == "仍不满意。" and rating.followup == "open"
    assert complaint.rating == "dissatisfied"


def test_another_enterprises_complaint_is_not_there(world, client_for):
    theirs = _answered(world, make_complaint(world, project=world.project2_a))
    client = client_for("enterprise")
    assert client.get(reverse("portal:complaint", args=[theirs.pk])).status_code == 404
    rate = client.post(reverse("portal:complaint_rate", args=[theirs.pk]), {"score": "satisfied"})
    assert rate.status_code == 404
    assert client.get(f"/api/v1/portal/complaints/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/portal/complaints/").json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.status == ComplaintStatus.ANSWERED and not Rating.objects.exists()


def test_the_api_lodges_and_rates(world, client_for):
    client = client_for("enterprise")
    refused = client.post("/api/v1/portal/complaints/", {}, content_type="application/json")
    assert refused.status_code == 400
    assert {"category", "department", "text"} <= set(refused.json())
    created = client.post(
        "/api/v1/portal/complaints/",
        {
            "category": "inspections",
            "department": world.dept_works_a.pk,
            "text": "一周内三次上门检查。",
            "attachments": [_pdf("检查记录.pdf")],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "received" and [f["name"] for f in body["attachments"]] == [
        "检查记录.pdf"
    ]
    complaint = _answered(world, Complaint.objects.get(pk=body["id"]))
    url = f"/api/v1/portal/complaints/{complaint.pk}/rate/"
    wrong = client.post(url, {"score": "great"}, content_type="application/json")
    assert wrong.status_code == 400 and "score" in wrong.json()
    missing = client.post(url, {"score": ""}, content_type="application/json")
    assert missing.status_code == 400 and "score" in missing.json()
    rated = client.post(url, {"score": "satisfied"}, content_type="application/json")
    assert rated.status_code == 200 and rated.json()["status"] == "closed"
    assert Rating.objects.get().score == "satisfied"


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_too_many_or_empty_files_are_said_with_the_other_problems(world, client_for, api):
    """The number of files and an empty one are the service's problems, said with the
    form's others (not alone, hiding them)."""
    client = client_for("enterprise")
    files = [_pdf(f"{i}.pdf") for i in range(services.MAX_ATTACHMENTS)]
    files.append(SimpleUploadedFile("空.pdf", b"", content_type="application/pdf"))
    data = {"category": "fines", "department": "", "text": "", "attachments": files}
    if api:
        response = client.post("/api/v1/portal/complaints/", data)
        errors = response.json()
    else:
        response = client.post(reverse("portal:complaint_new"), data)
        errors = response.context["form"].errors
    assert response.status_code == 400
    assert {"department", "text", "attachments"} <= set(errors)
    said = " ".join(errors["attachments"])
    assert "6" in said and "空.pdf" in said
    assert not Complaint.objects.exists() and not ComplaintAttachment.objects.exists()
