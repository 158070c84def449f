"""Portal routes: accounts (the enterprise's contacts). The invitation link lives under
``/accounts/`` (``core/auth_urls.py``): it is opened before the person has an account."""

from django.urls import path

from zhaoshang.portal.views import accounts

urlpatterns: list = [
    path("contacts/", accounts.contacts, name="contacts"),
]
