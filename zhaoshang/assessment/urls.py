"""URLs of the assessment: rankings, a department's ledger, hand entries, objections and the
year's settings."""

from django.urls import path

from zhaoshang.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.rankings, name="rankings"),
    path("export.xlsx", views.rankings_export, name="export"),
    path("departments/<int:pk>/", views.ledger, name="ledger"),
    path("entries/new/", views.entry_create, name="entry_create"),
    path("entries/<int:pk>/file/", views.entry_file, name="entry_file"),
    path("entries/<int:pk>/object/", views.entry_object, name="entry_object"),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("objections/<int:pk>/file/", views.objection_file, name="objection_file"),
    path("years/<int:year>/", views.year_settings, name="year"),
    path("years/<int:year>/departments/", views.year_department_base, name="year_department_base"),
    path("years/<int:year>/finish/", views.year_finish, name="year_finish"),
]
