from django.urls import path

from zhaoshang.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.project_export, name="export"),
    path("autocomplete/", views.project_autocomplete, name="autocomplete"),
    path("print/", views.project_print, name="print"),
    path("import/", views.project_import, name="import"),
    path("import/template.xlsx", views.project_import_template, name="import_template"),
    path("import/problems.xlsx", views.project_import_report, name="import_report"),
    path("backfill/", views.backfill_list, name="backfill"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/team/", views.project_team, name="team"),
    path("<int:pk>/team/add/", views.team_add, name="team_add"),
    path("<int:pk>/team/<int:member_pk>/remove/", views.team_remove, name="team_remove"),
    path("<int:pk>/timeline/", views.project_timeline, name="timeline"),
    path("<int:pk>/stage/", views.stage_change, name="stage"),
    path("<int:pk>/condition/", views.condition_change, name="condition"),
    path("<int:pk>/documents/", views.project_documents, name="documents"),
    path("<int:pk>/documents/upload/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/confirm/", views.document_confirm, name="document_confirm"),
    path(
        "<int:pk>/documents/<int:version_pk>/download/",
        views.document_download,
        name="document_download",
    ),
    path("<int:pk>/funds/", views.project_funds, name="funds"),
    path("<int:pk>/progress/", views.project_progress, name="progress"),
    path("<int:pk>/progress/photos/<int:photo_pk>/", views.photo_download, name="photo"),
    path("<int:pk>/history/", views.project_history, name="history"),
]
