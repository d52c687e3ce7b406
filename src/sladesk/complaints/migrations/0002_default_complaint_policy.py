"""The default complaint targets (docs/complaints.md): acknowledge by the close of the next
business day, decide by the close of the 10th business day, on the standard calendar."""

from django.db import migrations


def seed(apps, schema_editor):
    ComplaintPolicy = apps.get_model("complaints", "ComplaintPolicy")
    if not ComplaintPolicy.objects.filter(is_default=True).exists():
        ComplaintPolicy.objects.get_or_create(
            name="default",
            defaults={
                "calendar": "standard",
                "acknowledge_business_days": 1,
                "decision_business_days": 10,
                "is_default": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
