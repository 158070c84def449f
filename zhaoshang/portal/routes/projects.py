"""Portal routes: my projects."""

from django.urls import path

from zhaoshang.portal.views import projects

urlpatterns = [
    path("", projects.home, name="home"),
    path("projects/<int:pk>/", projects.project, name="project"),
    path(
        "projects/<int:pk>/documents/<int:version_pk>/",
        projects.document,
        name="project_document",
    ),
]
