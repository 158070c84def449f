"""The portal's URL patterns, one module per area (each owns its ``urlpatterns``);
``portal/urls.py`` joins them under the ``portal`` namespace."""
