from django.contrib.auth import views as auth_views
from django.urls import path

from zhaoshang.portal.views.accounts import accept_invitation

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url="/accounts/password/done/"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # A new enterprise contact's first password (the invitation made on the enterprise page).
    path("invite/<str:token>/", accept_invitation, name="accept_invitation"),
]
