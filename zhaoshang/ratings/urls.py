"""URLs of the ratings app: the enterprises' ratings, a rating and its follow-up."""

from django.urls import path

from zhaoshang.ratings import views

app_name = "ratings"

urlpatterns = [
    path("", views.rating_list, name="list"),
    path("<int:pk>/", views.rating_detail, name="detail"),
    path("<int:pk>/follow-up/", views.rating_follow_up, name="follow_up"),
]
