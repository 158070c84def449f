"""URLs of the service app (SPEC §7): receipts, the leader's inbox, instructions, the
problem list, second-round service and the designated-contact and pairing views."""

from django.urls import path

from zhaoshang.service import views
from zhaoshang.service.actions import NEED_ACTIONS

app_name = "service"

urlpatterns = [
    path("projects/<int:pk>/", views.project_service, name="project"),
    path("projects/<int:pk>/receipts/new/", views.receipt_create, name="receipt_create"),
    path("projects/<int:pk>/needs/new/", views.need_create, name="need_create"),
    path(
        "projects/<int:pk>/second-round/new/",
        views.second_round_create,
        name="second_round_create",
    ),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt"),
    path("receipts/<int:pk>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("receipts/<int:pk>/correct/", views.receipt_correct, name="receipt_correct"),
    path("receipts/<int:pk>/instruct/", views.instruction_create, name="instruction_create"),
    path("receipts/<int:pk>/forward/", views.forward_receipt, name="forward_receipt"),
    path("inbox/", views.inbox, name="inbox"),
    path("forwarded/", views.forwarded, name="forwarded"),
    path("forwarded/<int:pk>/", views.open_forward, name="forward"),
    path("summary/", views.summary, name="summary"),
    path("needs/", views.needs, name="needs"),
    path("needs/mine/", views.department_needs, name="department_needs"),
    path("needs/export.xlsx", views.needs_export, name="needs_export"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/forward/", views.forward_need, name="forward_need"),
    path(
        "needs/<int:pk>/files/<int:attachment_pk>/",
        views.need_attachment,
        name="need_attachment",
    ),
    # One route per action (service:need_start …), so that the permission matrix names each.
    *[
        path(
            f"needs/<int:pk>/{action.slug}/",
            views.need_action,
            {"action": action.slug},
            name=f"need_{action.slug}",
        )
        for action in NEED_ACTIONS
    ],
    path("second-round/", views.second_round, name="second_round"),
    path(
        "enterprises/<int:pk>/second-round/new/",
        views.enterprise_second_round_create,
        name="enterprise_second_round_create",
    ),
    path("designated/", views.designated, name="designated"),
    path("paired/", views.paired, name="paired"),
]
