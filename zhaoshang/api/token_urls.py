"""``/accounts/tokens/``: API tokens of the user, and of a district administrator's district."""

from django.urls import path

from zhaoshang.api import views

app_name = "tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("new/", views.token_create, name="create"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
    path("district/", views.district_tokens, name="district"),
    path("district/<int:pk>/revoke/", views.district_token_revoke, name="district_revoke"),
]
