"""URLs of the meetings app: meetings, the supervision board and action items."""

from django.urls import path

from zhaoshang.meetings import views
from zhaoshang.meetings.actions import ACTIONS

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/agenda/<int:item_pk>/remove/", views.agenda_remove, name="agenda_remove"),
    path("<int:pk>/held/", views.meeting_held, name="held"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/minutes/file/", views.minutes_file, name="minutes_file"),
    path("<int:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("<int:pk>/joint-decision/", views.joint_decision, name="joint_decision"),
    path("board/", views.board, name="board"),
    path("board/export.xlsx", views.board_export, name="board_export"),
    path("board/print/", views.board_print, name="board_print"),
    path("worklist/", views.worklist, name="worklist"),
    path("action-items/new/", views.action_item_create, name="action_item_create"),
    path("action-items/<int:pk>/", views.action_item_detail, name="action_item"),
    path("action-items/<int:pk>/edit/", views.action_item_edit, name="action_item_edit"),
    path(
        "action-items/<int:pk>/files/<int:file_pk>/",
        views.action_item_file,
        name="action_item_file",
    ),
    # One route per action (meetings:action_item_close …), so that the permission matrix
    # names each of them.
    *[
        path(
            f"action-items/<int:pk>/{action.slug}/",
            views.action_item_action,
            {"action": action.slug},
            name=f"action_item_{action.slug}",
        )
        for action in ACTIONS
    ],
]
