"""Clean-up decisions are carried out (issue 16 point 6, SPEC §20): the leader holding the
clean-up duty opens a campaign; each decision starts its follow-up (a watched deadline; the
land recovery on the parcel and the exit steps on the project; the project 已退出 at the
end of a 清退); a missed deadline is caught by the daily scan; a decision against the
facts needs its reason; a campaign does not close while a decision lacks its follow-up.

Today is 2026-06-15 (a Monday) in every test."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.core.models import DomainEvent
from zhaoshang.exits.choices import RuleCode, WarningStatus
from zhaoshang.exits.services import decide_clearance, issue_notice
from zhaoshang.land import services
from zhaoshang.land.choices import CampaignStatus, Decision, EntryCategory, FollowUp, ParcelStatus
from zhaoshang.land.models import CampaignEntry, CleanupLead
from zhaoshang.land.tests.factories import make_campaign, make_supplied
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date
_n = iter(range(100, 10000))


def pdf(name="决定书.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 clean-up", content_type="application/pdf")


def _project(world, name, stage, **extra):
    data = {
        "district": world.district_a,
        "code": f"ZS-F-{next(_n)}",
        "name": name,
        "enterprise": world.enterprise1_a,
        "industry": world.industry_a,
        "park": world.park1_a,
        "stage": stage,
        "total_investment": Decimal("10000"),
        "fixed_asset_investment": Decimal("8000"),
        "land_area": Decimal("40"),
        "signed_on": D(2024, 1, 1),
    }
    data.update(extra)
    return Project.objects.create(**data)


@pytest.fixture
def cast(world):
    """圈而不建: land delivered 2026-01-10 (exit rule 三个月不开工: due 2026-04-10), its parcel
    idle since 2026-01-10 (agreed start 2025-01-10 + 1 year); 签而不建: signed 2025-10-01,
    no land; 建而不产: land delivered 2023-06-01 (两年不投产: due 2025-06-01), started
    2024-01-01."""
    enclosed = _project(world, "圈地项目", "land_delivered", land_delivered_on=D(2026, 1, 10))
    return {
        "enclosed": enclosed,
        "parcel": make_supplied(world, project=enclosed, delivered_on=D(2026, 1, 10)),
        "signed": _project(world, "签约未建项目", "signed", signed_on=D(2025, 10, 1)),
        "built": _project(
            world, "建而不产项目", "completed", land_delivered_on=D(2023, 6, 1),
            started_on=D(2024, 1, 1), completed_on=D(2025, 6, 1),
        ),
    }  # fmt: skip


def _entry(campaign, project) -> CampaignEntry:
    return campaign.entries.select_related("project", "parcel", "campaign").get(project=project)


def test_the_leader_holding_the_duty_opens_a_campaign(world, cast, client_for):
    with pytest.raises(PermissionDenied):
        make_campaign(world, by=world.user_leader)
    CleanupLead.objects.create(district=world.district_a, leader=world.user_leader)
    world.user_leader.__dict__.pop("_cleanup_lead_of", None)
    campaign = make_campaign(world, by=world.user_leader)
    assert campaign.opened_by == world.user_leader
    # The months are the district's exit rules': 三个月不开工 3, 两年不投产 24, and for
    # 签而不建 the government's 签约未供地 6.
    assert (campaign.delivered_months, campaign.production_months) == (3, 24)
    assert campaign.signed_months == 6
    # The duty is the district's: the leader opens nothing in district b.
    with pytest.raises(PermissionDenied):
        make_campaign(world, "b", by=world.user_leader)
    # The page: the leader's client sees the open form and the campaign's decision forms.
    client = client_for("leader")
    assert client.get(reverse("land:campaign_open")).status_code == 200
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert 'data-action="decide"' in page


def test_a_clean_up_decision_carried_to_land_recovery(world, cast, client_for):
    campaign = make_campaign(world)
    entry = _entry(campaign, cast["enclosed"])
    assert entry.category == EntryCategory.ENCLOSED and entry.parcel == cast["parcel"]
    services.decide_entry(
        world.user_supervisor, entry, decision=Decision.RECOVER, reason="圈而不建，坚决收回土地",
        deadline=D(2026, 7, 15),
    )  # fmt: skip
    entry.refresh_from_db()
    parcel = cast["parcel"]
    parcel.refresh_from_db()
    # The land recovery starts on the parcel, the exit steps on the project: its warning
    # under 三个月不开工 (2026-01-10 + 3 months = 2026-04-10, passed) is raised now.
    assert (entry.followup, entry.followup_on) == (FollowUp.RECOVERING, D(2026, 6, 15))
    assert parcel.recovery_started_on == D(2026, 6, 15)
    warning = entry.exit_warning
    assert warning.rule.code == RuleCode.NOT_STARTED and warning.due_on == D(2026, 4, 10)
    assert warning.status == WarningStatus.WARNING
    # The pages say so: the campaign's entry (follow-up, its light, the exit steps), the parcel.
    client = client_for("supervisor")
    page = client.get(campaign.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-followup="recovering"' in page and 'data-testid="exit-warning"' in page
    assert 'data-light="green"' in page  # 2026-07-15 is weeks away
    page = client.get(parcel.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="recovery-started"' in page
    # Every decision has its follow-up: the campaign closes (observing the others).
    for other in campaign.entries.exclude(pk=entry.pk):
        services.decide_entry(world.user_bureau, other, decision=Decision.OBSERVE, reason="观察")
    services.close_campaign(world.user_supervisor, campaign)
    # The decision stands while the recovery is under way.
    with pytest.raises(ValidationError):
        services.decide_entry(world.user_supervisor, entry, decision="observe", reason="x")
    # The parcel is recovered (the decision's last step): the follow-up is done.
    services.change_parcel_status(
        world.user_bureau, parcel, status=ParcelStatus.RECOVERED, on=D(2026, 6, 15),
        reason="清理决定收回", document="东府土收〔2026〕3号",
    )  # fmt: skip
    entry.refresh_from_db()
    assert (entry.followup, entry.done_on) == (FollowUp.RECOVERED, D(2026, 6, 15))
    assert entry.done_note == "东府土收〔2026〕3号"
    verbs = set(DomainEvent.objects.for_object(entry).values_list("verb", flat=True))
    assert {"land_entry.decided", "land_entry.recovered"} <= verbs
    assert DomainEvent.objects.for_object(parcel).filter(verb="land_parcel.recovery_started")


def test_a_missed_rectification_deadline_is_caught_by_the_scan(world, cast, _frozen_time):
    campaign = make_campaign(world)
    entry = _entry(campaign, cast["signed"])
    services.decide_entry(
        world.user_supervisor, entry, decision=Decision.RECTIFY, reason="限期开工",
        deadline=D(2026, 6, 30),
    )  # fmt: skip
    light = CampaignEntry.objects.with_days_left(D(2026, 6, 15)).get(pk=entry.pk)
    # Working days after 2026-06-15 up to 06-30: 16, 17, 18 (19 June is 端午节, off with
    # the weekend to the 21st), 22–26, 29, 30 = 3 + 5 + 2 = 10.
    assert (light.days_left, light.light) == (10, "green")
    assert services.scan(D(2026, 6, 30)) == {"overdue": 0}  # due today: not missed
    # 2026-07-01: one day past; the scan marks it once and tells the office and the team.
    _frozen_time.move_to(datetime.datetime(2026, 7, 1, 2, tzinfo=datetime.UTC))
    assert services.scan(D(2026, 7, 1)) == {"overdue": 1}
    assert services.scan(D(2026, 7, 1)) == {"overdue": 0}  # safe to run twice
    entry.refresh_from_db()
    assert entry.overdue_on == D(2026, 7, 1)
    told = Notification.objects.filter(verb="land_entry.overdue")
    assert world.user_supervisor.pk in set(told.values_list("recipient_id", flat=True))
    red = CampaignEntry.objects.with_days_left(D(2026, 7, 1)).get(pk=entry.pk)
    assert (red.days_left, red.light) == (-1, "red")
    # The daily scan runs the step and lights the deadline like every other deadline.
    from zhaoshang.monitoring.models import Signal
    from zhaoshang.monitoring.services import daily_scan

    report = dict(daily_scan(D(2026, 7, 1)))
    assert report["land.scan"] == "{'overdue': 0}"
    signal = Signal.objects.get(subject="cleanup", object_id=entry.pk)
    assert (signal.light, signal.due_on, signal.project_id) == (
        "red",
        D(2026, 6, 30),
        entry.project_id,
    )
    # A date before the decision and no note: both named in one answer.
    with pytest.raises(ValidationError) as exc:
        services.confirm_rectified(world.user_supervisor, entry, on=D(2000, 1, 3), note=" ")
    assert set(exc.value.message_dict) == {"on", "note"}
    # Rectified: the deadline is no longer watched.
    services.confirm_rectified(world.user_supervisor, entry, note="已开工建设")
    entry.refresh_from_db()
    assert (entry.followup, entry.done_on) == (FollowUp.RECTIFIED, D(2026, 7, 1))
    assert CampaignEntry.objects.with_days_left(D(2026, 7, 1)).get(pk=entry.pk).light == "none"


def test_closing_is_refused_while_a_decision_lacks_its_follow_up(world, cast):
    campaign = make_campaign(world)
    entries = list(campaign.entries.select_related("project").order_by("pk"))
    for entry in entries:
        services.decide_entry(world.user_bureau, entry, decision=Decision.OBSERVE, reason="观察")
    # A decision recorded before decisions were carried out (what the migration leaves).
    lacking = _entry(campaign, cast["built"])
    CampaignEntry.objects.filter(pk=lacking.pk).update(decision=Decision.CLEAR, followup="")
    with pytest.raises(ValidationError) as exc:
        services.close_campaign(world.user_supervisor, campaign)
    project = cast["built"]
    assert exc.value.message_dict["status"] == [
        f"A decision has no follow-up yet: {project.code} 建而不产项目 (Built, not producing "
        "(建而不产)). Record the decision again to start it before closing."
    ]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    # Recorded again, it starts its follow-up and the campaign closes.
    services.decide_entry(
        world.user_bureau, lacking, decision=Decision.RECTIFY, reason="限期投产",
        deadline=D(2026, 12, 31),
    )  # fmt: skip
    assert services.close_campaign(world.user_supervisor, campaign).status == "closed"


def test_a_decision_against_the_facts_needs_its_reason(world, cast, client_for):
    # The parcel's agreed start is 2026-02-01: idle only from 2027-02-01.
    young = _project(world, "新地块项目", "land_delivered", land_delivered_on=D(2026, 2, 1))
    make_supplied(world, project=young, delivered_on=D(2026, 2, 1), agreed_start_on=D(2026, 2, 1))
    campaign = make_campaign(world)
    entry = _entry(campaign, young)
    with pytest.raises(ValidationError) as exc:
        services.decide_entry(
            world.user_supervisor, entry, decision=Decision.RECOVER, reason="收回",
            deadline=D(2026, 7, 15),
        )  # fmt: skip
    assert exc.value.message_dict == {
        "facts_reason": [
            "The decision contradicts the record (the parcel has been idle for less than a "
            "year (idle from 2027-02-01)): give the reason for it."
        ]
    }
    # Clearing out a project that started building (2024-01-01) before the decision: on the
    # page, the error is on the field and nothing is saved.
    built = _entry(campaign, cast["built"])
    response = client_for("supervisor").post(
        reverse("land:entry_decide", args=[built.pk]),
        {"decision": "clear", "reason": "清退", "deadline": "2026-07-15", "version": built.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = [f for _e, f, _a in _rows(response.context) if f is not None and f.is_bound]
    assert errors and errors[0].errors["facts_reason"] == [
        "The decision contradicts the record (the project started building on 2024-01-01, "
        "before this decision): give the reason for it."
    ]
    assert f'id="id_entry{built.pk}_facts_reason"' in response.content.decode()
    built.refresh_from_db()
    assert (built.decision, built.version) == ("", 1)
    # With the reason, the decision is recorded and keeps it.
    services.decide_entry(
        world.user_supervisor, entry, decision=Decision.RECOVER, reason="收回",
        deadline=D(2026, 7, 15), facts_reason="企业书面申请退回土地",
    )  # fmt: skip
    entry.refresh_from_db()
    assert entry.facts_reason == "企业书面申请退回土地"
    assert entry.followup == FollowUp.RECOVERING


def _rows(context):
    return [row for _c, _l, rows in context["groups"] for row in rows]


def test_clearance_ends_with_the_project_exited(world, cast, _frozen_time):
    campaign = make_campaign(world)
    entry = _entry(campaign, cast["signed"])
    services.decide_entry(
        world.user_supervisor, entry, decision=Decision.CLEAR, reason="签而不建，依法清退",
        deadline=D(2026, 7, 15),
    )  # fmt: skip
    entry.refresh_from_db()
    # No land, so no exit rule reaches it: the follow-up runs on the entry.
    assert (entry.followup, entry.exit_warning) == (FollowUp.CLEARING, None)
    with pytest.raises(ValidationError) as exc:
        services.complete_exit(world.user_bureau, entry, document=pdf())
    assert exc.value.message_dict == {"on": ["The deadline (2026-07-15) has not passed yet."]}
    _frozen_time.move_to(datetime.datetime(2026, 7, 16, 2, tzinfo=datetime.UTC))
    # The supervision office carries out decisions, but a project's stage is its editors'.
    with pytest.raises(PermissionDenied):
        services.complete_exit(world.user_supervisor, entry, document=pdf())
    services.complete_exit(world.user_bureau, entry, note="清退完成", document=pdf())
    entry.refresh_from_db()
    project = cast["signed"]
    project.refresh_from_db()
    assert (project.stage, project.exited_on) == (Stage.EXITED, D(2026, 7, 16))
    assert (entry.followup, entry.done_on) == (FollowUp.EXITED, D(2026, 7, 16))


def test_clearance_waits_for_the_exit_steps(world, cast, _frozen_time):
    campaign = make_campaign(world)
    entry = _entry(campaign, cast["built"])
    services.decide_entry(
        world.user_supervisor, entry, decision=Decision.CLEAR, reason="建而不产",
        deadline=D(2026, 7, 15), facts_reason="开工后停建两年，企业无力续建",
    )  # fmt: skip
    entry.refresh_from_db()
    warning = entry.exit_warning
    # 两年不投产: 2023-06-01 + 24 months = 2025-06-01, passed: the warning is raised.
    assert warning.rule.code == RuleCode.NOT_PRODUCING and warning.due_on == D(2025, 6, 1)
    with pytest.raises(ValidationError) as exc:
        services.complete_exit(world.user_bureau, entry, document=pdf())
    assert "the exit warning is at “Warning (预警)”" in exc.value.message_dict["status"][0]
    issue_notice(world.user_supervisor, warning, deadline=D(2026, 7, 15), document=pdf())
    _frozen_time.move_to(datetime.datetime(2026, 7, 16, 2, tzinfo=datetime.UTC))
    warning.refresh_from_db()
    decide_clearance(world.user_supervisor, warning, document=pdf())
    entry.refresh_from_db()
    services.complete_exit(world.user_bureau, entry, document=pdf())
    cast["built"].refresh_from_db()
    assert cast["built"].stage == Stage.EXITED


def test_the_page_and_the_api_carry_a_decision_out(world, cast, client_for):
    CleanupLead.objects.create(district=world.district_a, leader=world.user_leader)
    api = client_for("leader")
    response = api.post(
        "/api/v1/land-campaigns/",
        {"year": 2026, "half": "H1"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    campaign_id = response.json()["id"]
    entry = CampaignEntry.objects.get(campaign_id=campaign_id, project=cast["signed"])
    url = f"/api/v1/land-campaign-entries/{entry.pk}/"
    response = api.post(
        f"{url}decide/",
        {"decision": "rectify", "reason": "限期开工", "deadline": "2026-06-16"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # Due tomorrow: 0 working days between, within the default yellow window of 1.
    assert (body["followup"], body["days_left"], body["light"]) == ("watching", 1, "yellow")
    # The page: the supervision office confirms the rectification from the campaign page.
    page = client_for("supervisor")
    response = page.post(
        reverse("land:entry_action", args=[entry.pk, "rectified"]),
        {"note": "已开工建设", "version": body["version"]},
    )
    assert response.status_code == 302
    assert api.get(url).json()["followup"] == "rectified"
    response = api.post(
        f"/api/v1/land-campaigns/{campaign_id}/close/", {}, content_type="application/json"
    )
    assert response.status_code == 400 and list(response.json()) == ["status"]  # undecided
