"""Seed the calendar: the arrangements 2004–2026 (chinese-calendar) and the index to 2029."""

from django.db import migrations

from zhaoshang.workdays.seed import seed_calendar, unseed_calendar


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed_calendar, unseed_calendar)]
