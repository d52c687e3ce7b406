"""Create the counter ticket references are issued from (first: PREFIX-100001)."""

from django.db import migrations


def seed(apps, schema_editor):
    TicketCounter = apps.get_model("tickets", "TicketCounter")
    TicketCounter.objects.get_or_create(name="ticket", defaults={"value": 100000})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
