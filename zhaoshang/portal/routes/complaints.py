"""Portal routes: complaints."""

urlpatterns: list = []
