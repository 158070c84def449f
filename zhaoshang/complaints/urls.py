"""URLs of the complaints app: the supervision office's complaint desk and a complaint."""

from django.urls import path

from zhaoshang.complaints import views
from zhaoshang.complaints.actions import ACTIONS

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_create, name="create"),
    path("export.xlsx", views.complaint_export, name="export"),
    path("print/", views.complaint_print, name="print"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/attach/", views.complaint_attach, name="attach"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.complaint_attachment,
        name="attachment",
    ),
    # One route per action (complaints:dispatch …), so that the permission matrix names each.
    *[
        path(
            f"<int:pk>/{action.slug}/",
            views.complaint_action,
            {"action": action.slug},
            name=action.slug,
        )
        for action in ACTIONS
    ],
]
