from django.urls import path

from zhaoshang.approvals import views
from zhaoshang.approvals.actions import ACTIONS
from zhaoshang.approvals.autocomplete import case_autocomplete

app_name = "approvals"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("export.xlsx", views.worklist_export, name="export"),
    path("cases/autocomplete/", case_autocomplete, name="case_autocomplete"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    # One route per action (approvals:case_accept …), so that the permission matrix
    # names each of them.
    *[
        path(
            f"cases/<int:pk>/{action.slug}/",
            views.case_action,
            {"action": action.slug},
            name="case_" + action.slug.replace("-", "_"),
        )
        for action in ACTIONS
    ],
    path("projects/<int:pk>/", views.project_approvals, name="project"),
    path(
        "projects/<int:pk>/green-channel/",
        views.register_green_channel,
        name="register_green_channel",
    ),
    path("projects/<int:pk>/register/", views.register_case, name="register"),
    path("projects/<int:pk>/joint-decision/", views.joint_decision, name="joint_decision"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.item_detail, name="item"),
    path("catalogue/<int:pk>/edit/", views.item_edit, name="item_edit"),
]
