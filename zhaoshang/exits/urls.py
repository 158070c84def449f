"""URLs of the exits app: the warnings desk (退出预警) and a warning."""

from django.urls import path

from zhaoshang.exits import views
from zhaoshang.exits.actions import ACTIONS

app_name = "exits"

urlpatterns = [
    path("", views.warning_list, name="list"),
    path("export.xlsx", views.warning_export, name="export"),
    path("<int:pk>/", views.warning_detail, name="detail"),
    path("<int:pk>/documents/<int:step_pk>/", views.step_document, name="document"),
    # One route per action (exits:notice …), so that the permission matrix names each.
    *[
        path(
            f"<int:pk>/{action.slug}/",
            views.warning_action,
            {"action": action.slug},
            name=action.slug,
        )
        for action in ACTIONS
    ],
]
