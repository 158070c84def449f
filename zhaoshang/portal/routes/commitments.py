"""Portal routes: commitments."""

from django.urls import path

from zhaoshang.portal.views import commitments

urlpatterns = [
    path("commitments/", commitments.commitments, name="commitments"),
]
