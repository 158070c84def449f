"""URLs of the land app: parcels, the annual land plan and the clean-up campaigns."""

from django.urls import path

from zhaoshang.land import views

app_name = "land"

urlpatterns = [
    path("", views.parcel_list, name="parcels"),
    path("export.xlsx", views.parcel_export, name="export"),
    path("new/", views.parcel_create, name="parcel_create"),
    path("<int:pk>/", views.parcel_detail, name="parcel"),
    path("<int:pk>/edit/", views.parcel_edit, name="parcel_edit"),
    path("<int:pk>/status/", views.parcel_status, name="parcel_status"),
    path("plan/", views.land_plan, name="plan"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_open, name="campaign_open"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/generate/", views.campaign_generate, name="campaign_generate"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("entries/<int:pk>/decide/", views.entry_decide, name="entry_decide"),
    path("entries/<int:pk>/<slug:action>/", views.entry_action, name="entry_action"),
]
