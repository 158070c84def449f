"""Portal routes: approvals."""

urlpatterns: list = []
