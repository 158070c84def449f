"""``/verify/``: the public check of a verification code (扫码入企), no login needed."""

from django.urls import path

from zhaoshang.inspections import views

app_name = "verify"

urlpatterns = [
    path("", views.verify_form, name="form"),
    path("<str:code>/", views.verify_code, name="code"),
    path("<str:code>/rate/", views.verify_rate, name="rate"),
]
