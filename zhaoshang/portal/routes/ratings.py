"""Portal routes: my ratings (好差评)."""

from django.urls import path

from zhaoshang.portal.views import ratings

urlpatterns = [
    path("ratings/", ratings.ratings, name="ratings"),
]
