"""``/api/``: the REST API v1 (SPEC §16, §19), its OpenAPI schema and offline docs.

The composition root of the API, beside ``urls.py``: it gathers every app's viewsets, so it
lives outside the ``api`` app, which the apps build on (base viewsets, permissions, tokens)."""

from csp.decorators import csp_update
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from zhaoshang.agreements.api import (
    AgreementViewSet,
    ArchiveVersionViewSet,
    CommitmentViewSet,
    ObligationViewSet,
)
from zhaoshang.api.auth import ObtainTokenView
from zhaoshang.api.docs import RedocView, SchemaView, SwaggerView
from zhaoshang.approvals.api import ApprovalCaseViewSet, ApprovalItemViewSet
from zhaoshang.assessment.api import LedgerEntryViewSet, StandingViewSet
from zhaoshang.complaints.api import ComplaintViewSet
from zhaoshang.enterprises.api import EnterpriseViewSet
from zhaoshang.exits.api import ExitWarningViewSet
from zhaoshang.inspections.api import InspectionViewSet
from zhaoshang.kpis.api import AnnualTargetViewSet, KpiViewSet
from zhaoshang.land.api import CampaignEntryViewSet, LandCampaignViewSet, LandParcelViewSet
from zhaoshang.meetings.api import ActionItemViewSet, MeetingViewSet
from zhaoshang.org.api import DepartmentViewSet, IndustryViewSet, ParkViewSet
from zhaoshang.portal.api.router import router as portal_router
from zhaoshang.projects.api import ProjectViewSet
from zhaoshang.reports.api import IssuedReportViewSet
from zhaoshang.service.api import (
    ForwardViewSet,
    NeedViewSet,
    ReceiptViewSet,
    SecondRoundViewSet,
)

app_name = "api"

# Resources are plural, hyphenated nouns (SPEC §19); each domain app adds its own here.
router = DefaultRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("projects", ProjectViewSet, basename="project")
router.register("departments", DepartmentViewSet, basename="department")
router.register("parks", ParkViewSet, basename="park")
router.register("industries", IndustryViewSet, basename="industry")
router.register("approval-items", ApprovalItemViewSet, basename="approval-item")
router.register("approval-cases", ApprovalCaseViewSet, basename="approval-case")
router.register("receipts", ReceiptViewSet, basename="receipt")
router.register("needs", NeedViewSet, basename="need")
router.register("second-round-services", SecondRoundViewSet, basename="second-round-service")
router.register("forwards", ForwardViewSet, basename="forward")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("obligations", ObligationViewSet, basename="obligation")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("archive-versions", ArchiveVersionViewSet, basename="archive-version")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("land-parcels", LandParcelViewSet, basename="land-parcel")
router.register("land-campaigns", LandCampaignViewSet, basename="land-campaign")
router.register("land-campaign-entries", CampaignEntryViewSet, basename="land-campaign-entry")
router.register("reports", IssuedReportViewSet, basename="report")
router.register("warnings", ExitWarningViewSet, basename="warning")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("kpis", KpiViewSet, basename="kpi")
router.register("targets", AnnualTargetViewSet, basename="target")
router.register("assessment-entries", LedgerEntryViewSet, basename="assessment-entry")
router.register("assessment-standings", StandingViewSet, basename="assessment-standing")

urlpatterns = [
    path("v1/auth/token/", ObtainTokenView.as_view(), name="token"),
    # The enterprise's own resources (basenames "portal-…"), before the staff router.
    path("v1/portal/", include(portal_router.urls)),
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(), name="docs"),
    # Redoc builds its search index in a web worker started from a blob: URL.
    path(
        "redoc/",
        csp_update({"worker-src": ["'self'", "blob:"]})(RedocView.as_view()),
        name="redoc",
    ),
]
