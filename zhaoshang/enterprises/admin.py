from django.contrib import admin

from zhaoshang.core.admin_base import ScopedAdmin as DistrictScopedAdmin
from zhaoshang.enterprises.models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(DistrictScopedAdmin):
    list_display = ("name", "credit_code", "origin", "legal_representative", "district")
    list_filter = ("origin",)
    search_fields = ("name", "credit_code")
