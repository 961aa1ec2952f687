from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_seats_used(apps, schema_editor):
    """Every allotment's counter from its seats, in one statement."""
    Allotment = apps.get_model("contracts", "Allotment")
    Seat = apps.get_model("contracts", "Seat")
    counted = (
        Seat.objects.filter(contract=OuterRef("contract"), plan=OuterRef("plan"))
        .order_by()
        .values("contract")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Allotment.objects.update(seats_used=Coalesce(Subquery(counted), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0010_directory_sync_and_groups"),
    ]

    operations = [
        migrations.AddField(
            model_name="allotment",
            name="seats_used",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="seats in use"
            ),
        ),
        migrations.RunPython(fill_seats_used, migrations.RunPython.noop),
    ]
