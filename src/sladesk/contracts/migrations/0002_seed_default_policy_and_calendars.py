"""Seed the built-in calendars and the default SLA policy (exactly SLA.md) as rows."""

from django.db import migrations


def seed(apps, schema_editor):
    from sladesk.sla import BUILTIN_CALENDARS, DEFAULT_POLICY

    SlaCalendar = apps.get_model("contracts", "SlaCalendar")
    SlaPolicy = apps.get_model("contracts", "SlaPolicy")
    for name, calendar in BUILTIN_CALENDARS.items():
        SlaCalendar.objects.get_or_create(name=name, defaults={"data": calendar.to_dict()})
    data = DEFAULT_POLICY.to_dict()
    data.pop("calendars", None)
    if not SlaPolicy.objects.filter(is_default=True).exists():
        SlaPolicy.objects.get_or_create(name="default", defaults={"data": data, "is_default": True})


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
