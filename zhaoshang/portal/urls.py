from django.urls import path

from zhaoshang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<int:pk>/", views.project, name="project"),
]
