from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from zhaoshang.core import views as core_views
from zhaoshang.core.admin_base import view_on_site as admin_view_on_site
from zhaoshang.dashboard import screen_views
from zhaoshang.dashboard import views as dashboard_views
from zhaoshang.portal.views.accounts import accept_invitation

handler403 = "zhaoshang.core.views.permission_denied"
handler404 = "zhaoshang.core.views.page_not_found"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path(
        "home/receipts/<int:pk>/acknowledge/",
        dashboard_views.acknowledge,
        name="home_acknowledge",
    ),
    path("screen/", screen_views.page, name="screen"),
    path("screen/data/", screen_views.data, name="screen_data"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/tokens/", include("zhaoshang.api.token_urls")),
    # A new enterprise contact's first password (the invitation made on the enterprise page).
    path("accounts/invite/<str:token>/", accept_invitation, name="accept_invitation"),
    path("accounts/", include("zhaoshang.core.auth_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/", include("zhaoshang.projects.urls")),
    path("enterprises/", include("zhaoshang.enterprises.urls")),
    path("approvals/", include("zhaoshang.approvals.urls")),
    path("service/", include("zhaoshang.service.urls")),
    path("meetings/", include("zhaoshang.meetings.urls")),
    path("agreements/", include("zhaoshang.agreements.urls")),
    path("complaints/", include("zhaoshang.complaints.urls")),
    path("ratings/", include("zhaoshang.ratings.urls")),
    path("monitoring/", include("zhaoshang.monitoring.urls")),
    path("exits/", include("zhaoshang.exits.urls")),
    path("inspections/", include("zhaoshang.inspections.urls")),
    path("verify/", include("zhaoshang.inspections.verify_urls")),
    path("land/", include("zhaoshang.land.urls")),
    path("onboarding/", include("zhaoshang.onboarding.urls")),
    path("kpis/", include("zhaoshang.kpis.urls")),
    path("assessment/", include("zhaoshang.assessment.urls")),
    path("reports/", include("zhaoshang.reports.urls")),
    path("inbox/", include("zhaoshang.notifications.urls")),
    path("calendar/", include("zhaoshang.workdays.urls")),
    path("portal/", include("zhaoshang.portal.urls")),
    path("ops/", include("zhaoshang.ops.urls")),
    path("api/", include("zhaoshang.urls_api")),
    # The admin's "view on site" redirect, scoped like the admin's own pages (before the admin).
    path(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(admin_view_on_site),
        name="admin_view_on_site",
    ),
    path("admin/", admin.site.urls),
]

if settings.DEBUG and not settings.PRODUCTION:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
