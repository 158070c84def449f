"""Portal routes: commitments."""

urlpatterns: list = []
