"""Portal routes: my approvals."""

from django.urls import path

from zhaoshang.portal.views import approvals

urlpatterns = [
    path("approvals/", approvals.approvals, name="approvals"),
    path("approvals/<int:pk>/", approvals.case, name="case"),
    path("approvals/<int:pk>/rate/", approvals.case_rate, name="case_rate"),
    path("approvals/<int:pk>/certificate/", approvals.case_certificate, name="case_certificate"),
]
