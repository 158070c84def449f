"""URLs of the agreements app: the project's agreement tab, obligations, commitments with
their reverse schedules, and the park committee's archive."""

from django.urls import path

from zhaoshang.agreements import key_gantt, views

app_name = "agreements"

urlpatterns = [
    path("projects/<int:pk>/", views.project_agreement, name="project"),
    path("projects/<int:pk>/new/", views.agreement_create, name="create"),
    path("projects/<int:pk>/commitments/new/", views.commitment_create, name="commitment_create"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/obligations/new/", views.obligation_create, name="obligation_create"),
    path("obligations/<int:pk>/", views.obligation_detail, name="obligation"),
    path("obligations/<int:pk>/edit/", views.obligation_edit, name="obligation_edit"),
    path("obligations/<int:pk>/confirm/", views.obligation_confirm, name="obligation_confirm"),
    path("obligations/<int:pk>/waive/", views.obligation_waive, name="obligation_waive"),
    path("obligations/<int:pk>/evidence/", views.obligation_evidence, name="obligation_evidence"),
    path("commitments/", views.commitment_list, name="commitments"),
    path("milestones/", views.milestone_list, name="milestones"),
    path("gantt/", key_gantt.key_gantt, name="key_gantt"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/gantt/", views.commitment_gantt, name="gantt"),
    path("commitments/<int:pk>/edit/", views.commitment_edit, name="commitment_edit"),
    path("commitments/<int:pk>/file/", views.commitment_file, name="commitment_file"),
    path("commitments/<int:pk>/compare/", views.version_compare, name="compare"),
    path("commitments/<int:pk>/change/", views.change_request, name="change_request"),
    path("changes/<int:pk>/", views.change_detail, name="change"),
    path("changes/<int:pk>/<slug:action>/", views.change_action, name="change_action"),
    path("milestones/<int:pk>/progress/", views.milestone_progress, name="milestone_progress"),
    path(
        "milestones/<int:pk>/reschedule/", views.milestone_reschedule, name="milestone_reschedule"
    ),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:pk>/", views.version_detail, name="version"),
]
