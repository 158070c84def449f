"""The portal API's router: each area adds its resources."""

from rest_framework.routers import SimpleRouter

from zhaoshang.portal.api import (
    approvals,
    commitments,
    complaints,
    inspections,
    needs,
    projects,
    ratings,
    reports,
)

router = SimpleRouter()
for area in (projects, approvals, reports, needs, complaints, ratings, inspections, commitments):
    area.register(router)
