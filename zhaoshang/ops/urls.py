from django.urls import path

from zhaoshang.ops import views

app_name = "ops"

urlpatterns = [
    path("", views.status_page, name="status"),
    path("outbox/<int:pk>/retry/", views.retry, name="outbox_retry"),
]
