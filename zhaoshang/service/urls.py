"""URLs of the service app."""

app_name = "service"

urlpatterns: list = []
