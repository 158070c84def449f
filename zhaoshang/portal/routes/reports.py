"""Portal routes: reports."""

urlpatterns: list = []
