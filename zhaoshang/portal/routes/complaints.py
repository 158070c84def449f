"""Portal routes: complaints (投诉)."""

from django.urls import path

from zhaoshang.portal.views import complaints

urlpatterns = [
    path("complaints/", complaints.complaints, name="complaints"),
    path("complaints/new/", complaints.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", complaints.complaint, name="complaint"),
    path("complaints/<int:pk>/rate/", complaints.complaint_rate, name="complaint_rate"),
    path(
        "complaints/<int:pk>/files/<int:attachment_pk>/",
        complaints.complaint_attachment,
        name="complaint_attachment",
    ),
]
