from django.urls import path

from zhaoshang.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export.xlsx", views.enterprise_export, name="export"),
    path("autocomplete/", views.enterprise_autocomplete, name="autocomplete"),
    path("import/", views.enterprise_import, name="import"),
    path("import/template.xlsx", views.enterprise_import_template, name="import_template"),
    path("import/problems.xlsx", views.enterprise_import_report, name="import_report"),
    path("new/", views.enterprise_create, name="create"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/contacts/invite/", views.contact_invite, name="contact_invite"),
    path("<int:pk>/contacts/<int:user_pk>/remove/", views.contact_remove, name="contact_remove"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
