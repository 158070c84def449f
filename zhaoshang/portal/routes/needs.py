"""Portal routes: needs (企业诉求)."""

from django.urls import path

from zhaoshang.portal.views import needs

urlpatterns = [
    path("needs/", needs.needs, name="needs"),
    path("needs/new/", needs.need_new, name="need_new"),
    path("needs/<int:pk>/", needs.need, name="need"),
    path("needs/<int:pk>/rate/", needs.need_rate, name="need_rate"),
    path(
        "needs/<int:pk>/files/<int:attachment_pk>/",
        needs.need_attachment,
        name="need_attachment",
    ),
]
