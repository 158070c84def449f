"""Portal routes: needs."""

urlpatterns: list = []
