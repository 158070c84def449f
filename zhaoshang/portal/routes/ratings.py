"""Portal routes: ratings."""

urlpatterns: list = []
