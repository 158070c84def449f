"""URLs of monitoring: the lights board, its export and print view, a project's monitoring tab."""

from django.urls import path

from zhaoshang.monitoring import district_map, views

app_name = "monitoring"

urlpatterns = [
    path("", views.board, name="board"),
    path("export/", views.board_export, name="export"),
    path("print/", views.board_print, name="print"),
    path("projects/<int:pk>/", views.project_monitoring, name="project"),
    path("map/", district_map.page, name="map"),
    path("map/data/", district_map.data, name="map_data"),
]
