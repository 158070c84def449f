"""URLs of the ledger import (补录导入): the batches, the wizard's steps, the result."""

from django.urls import path

from zhaoshang.onboarding import views, views_wizard

app_name = "onboarding"

urlpatterns = [
    path("", views.index, name="index"),
    path("go-live/", views.go_live, name="go_live"),
    path("template/<slug:kind>/", views.template, name="template"),
    path("example/", views.example, name="example"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/sheets/", views_wizard.sheets, name="sheets"),
    path("<int:pk>/columns/", views_wizard.columns, name="columns"),
    path("<int:pk>/values/", views_wizard.values, name="values"),
    path("<int:pk>/check/", views_wizard.check, name="check"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/problems.xlsx", views.problems_report, name="problems"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/undo/", views.undo, name="undo"),
]
