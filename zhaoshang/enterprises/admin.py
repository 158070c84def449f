from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.admin import DistrictScopedAdmin


@admin.register(Enterprise)
class EnterpriseAdmin(DistrictScopedAdmin, SimpleHistoryAdmin):
    list_display = ("name", "credit_code", "origin", "legal_representative", "district")
    list_filter = ("origin",)
    search_fields = ("name", "credit_code")
