"""Portal routes: reporting (the monthly report, its history, the enterprise's documents)."""

from django.urls import path

from zhaoshang.portal.views import reports

urlpatterns = [
    path("reports/", reports.reports, name="reports"),
    path("reports/projects/<int:pk>/", reports.history, name="report_history"),
    path(
        "reports/projects/<int:pk>/<int:year>/<int:month>/",
        reports.report_new,
        name="report_new",
    ),
    path("reports/<int:pk>/", reports.report, name="report"),
    path("reports/<int:pk>/photos/<int:photo_pk>/", reports.report_photo, name="report_photo"),
    path("reports/projects/<int:pk>/documents/", reports.documents, name="documents"),
    path(
        "reports/projects/<int:pk>/documents/upload/",
        reports.document_upload,
        name="document_upload",
    ),
    path(
        "reports/documents/<int:pk>/download/", reports.document_download, name="document_download"
    ),
]
