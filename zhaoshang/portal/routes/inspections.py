"""Portal routes: inspections and fees (涉企检查/收费)."""

from django.urls import path

from zhaoshang.portal.views import inspections

urlpatterns = [
    path("inspections/", inspections.inspection_list, name="inspections"),
    path("inspections/check/", inspections.inspection_check, name="inspection_check"),
    path("inspections/report/", inspections.inspection_report, name="inspection_report"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/rate/", inspections.inspection_rate, name="inspection_rate"),
]
