"""``/portal/``: the enterprise's service hall. Each area's routes live in its own module
of ``portal/routes``."""

from zhaoshang.portal.routes import (
    accounts,
    approvals,
    commitments,
    complaints,
    inspections,
    needs,
    projects,
    ratings,
    reports,
)

app_name = "portal"

urlpatterns = [
    *projects.urlpatterns,
    *approvals.urlpatterns,
    *reports.urlpatterns,
    *needs.urlpatterns,
    *complaints.urlpatterns,
    *ratings.urlpatterns,
    *inspections.urlpatterns,
    *commitments.urlpatterns,
    *accounts.urlpatterns,
]
