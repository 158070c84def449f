from django.urls import path

from zhaoshang.workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("import/", views.import_year, name="import"),
    path("<int:year>/", views.calendar_page, name="year"),
    path("<int:year>/publish/", views.publish, name="publish"),
]
