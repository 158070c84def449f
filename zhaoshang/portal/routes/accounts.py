"""Portal routes: accounts."""

urlpatterns: list = []
