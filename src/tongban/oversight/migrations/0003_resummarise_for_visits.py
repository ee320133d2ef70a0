"""The daily summaries written before the visit counts existed hold zeros there: forget the
watermark so the next refresh recomputes every day from the raw rows (as `stats rebuild`)."""

from django.db import migrations


def forget(apps, schema_editor):
    apps.get_model("oversight", "StatsWatermark").objects.update(summarised_through=None, changes_since=None)


class Migration(migrations.Migration):
    dependencies = [("oversight", "0002_visit_counts")]
    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
