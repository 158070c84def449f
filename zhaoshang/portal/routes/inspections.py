"""Portal routes: inspections."""

urlpatterns: list = []
