"""The demo enterprise's service hall (demo/portal.py): every area of the hall has its
story, written by the contacts themselves through the services, and the hall's pages show
it to the ``enterprise`` account."""

from __future__ import annotations

import datetime

from django.urls import reverse

from zhaoshang.api.models import ApiToken
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.complaints.choices import Channel, ComplaintStatus
from zhaoshang.complaints.models import Complaint
from zhaoshang.enterprises.models import ContactInvitation
from zhaoshang.org.models import User
from zhaoshang.projects.models import DocumentVersion, MonthlyReport
from zhaoshang.ratings.choices import FollowUp, Score
from zhaoshang.ratings.models import Rating
from zhaoshang.service.choices import NeedStatus, RaisedVia
from zhaoshang.service.models import Need


def _contact() -> User:
    return User.objects.select_related("enterprise").get(username="enterprise")


def test_the_demo_enterprise_has_contacts_joined_removed_and_invited(today):
    enterprise = _contact().enterprise
    people = User.objects.filter(enterprise=enterprise)
    assert people.filter(is_active=True).count() == 2
    assert people.filter(is_active=False).count() == 1
    invitations = ContactInvitation.objects.filter(enterprise=enterprise)
    assert invitations.filter(accepted_at__isnull=False).count() == 2
    pending = invitations.get(accepted_at__isnull=True)
    assert pending.email and pending.expires_at.date() > today
    assert ApiToken.objects.filter(user=_contact()).exists()


def test_needs_complaint_and_ratings_of_the_hall(today):
    enterprise = _contact().enterprise
    needs = Need.objects.filter(project__enterprise=enterprise, raised_via=RaisedVia.ENTERPRISE)
    assert sorted(needs.values_list("status", flat=True)) == sorted(
        [NeedStatus.RESOLVED, NeedStatus.RESOLVED, NeedStatus.PENDING]
    )
    lodged = Complaint.objects.get(enterprise=enterprise, channel=Channel.PORTAL)
    assert lodged.status == ComplaintStatus.CLOSED and lodged.received_by == _contact()
    ratings = Rating.objects.filter(enterprise=enterprise)
    followed = ratings.get(score=Score.DISSATISFIED)
    assert followed.subject_kind == "need" and followed.followup == FollowUp.DONE
    assert {"case", "need", "complaint", "visit"} <= set(
        ratings.values_list("subject_kind", flat=True)
    )
    # Every closed case is rated but the newest, which waits in the hall.
    done = ApprovalCase.objects.filter(project__enterprise=enterprise, done_on__isnull=False)
    rated = set(ratings.filter(subject_kind="case").values_list("subject_id", flat=True))
    waiting = [c for c in done if c.pk not in rated]
    assert len(waiting) == 1
    assert waiting[0].done_on == max(c.done_on for c in done)
    assert all(r.rated_on <= today for r in ratings)


def test_reports_and_documents_of_the_hall(today):
    contact = _contact()
    filed = MonthlyReport.objects.filter(
        project__enterprise=contact.enterprise, submitted_by=contact
    )
    assert filed.count() == 1
    report = filed.get()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert report.jobs and report.output_this_month and report.month == last_month
    uploads = DocumentVersion.objects.filter(
        document__project__enterprise=contact.enterprise, submitted_by_enterprise=True
    )
    assert uploads.count() == 2
    assert uploads.filter(confirmed_at__isnull=False).count() == 1


def test_the_hall_shows_it_to_the_enterprise_account(today, client):
    client.force_login(_contact())
    for name, text in (
        ("portal:home", "宏达重工"),
        ("portal:needs", "技术工人招聘"),
        ("portal:complaints", "TS-"),
        ("portal:ratings", "不满意"),
        ("portal:contacts", "孙婷"),
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert text in response.content.decode(), name
