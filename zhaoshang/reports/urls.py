"""URLs of the reports: the hub, each report, issuing, downloads and background jobs."""

from django.urls import path

from zhaoshang.reports import rankings, views

app_name = "reports"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("issued/<int:pk>/", views.issued, name="issued"),
    path("issued/<int:pk>/<str:fmt>/", views.download, name="download"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("rankings/", rankings.department_rankings, name="rankings"),
    path("<str:kind>/", views.report, name="report"),
    path("<str:kind>/issue/", views.issue, name="issue"),
    path("<str:kind>/generate/", views.generate, name="generate"),
    path("<str:kind>/export/<str:fmt>/", views.live_download, name="export"),
]
