"""URLs of the KPI app: the KPIs, their drill-down, the district comparison and the targets."""

from django.urls import path

from zhaoshang.kpis import views, views_charts

app_name = "kpis"

urlpatterns = [
    path("", views.kpi_page, name="index"),
    path("charts/", views_charts.charts_page, name="charts"),
    path("trends/", views_charts.trends, name="trends"),
    path("funds/", views_charts.funds_month, name="funds"),
    path("drill/", views.drill, name="drill"),
    path("compare/", views.compare, name="compare"),
    path("export/", views.export, name="export"),
    path("targets/", views.target_list, name="targets"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
]
