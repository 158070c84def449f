"""URLs of the inspections app: the approvals list, a department's requests, a request
and its visits, and reporting an unapproved visit."""

from django.urls import path

from zhaoshang.inspections import views
from zhaoshang.inspections.actions import REQUEST_ACTIONS, VISIT_ACTIONS

app_name = "inspections"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("export/", views.request_export, name="export"),
    path("new/", views.request_create, name="create"),
    path("report/", views.report_create, name="report"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/visits/<int:visit_pk>/slip/", views.visit_slip, name="slip"),
    # One route per action (inspections:approve …), so that the permission matrix names each.
    *[
        path(f"<int:pk>/{a.slug}/", views.request_action, {"action": a.slug}, name=a.slug)
        for a in REQUEST_ACTIONS
    ],
    *[
        path(
            f"<int:pk>/visits/<int:visit_pk>/{a.slug}/",
            views.visit_action,
            {"action": a.slug},
            name=a.slug,
        )
        for a in VISIT_ACTIONS
    ],
]
