"""Rectifications closed before the reviewer was asked through a request of their own: those
already answered were answered by the reviewer on the portal (the only way then), and every
closed one counts as asked from its last change. No SMS is sent for them."""

from django.db import migrations
from django.db.models import F


def mark(apps, schema_editor):
    rectification = apps.get_model("reviews", "Rectification")
    rectification.objects.filter(re_level__isnull=False).update(re_channel="portal", re_asked_at=F("re_rated_at"))
    rectification.objects.filter(state="closed", re_asked_at__isnull=True).update(re_asked_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_re_rating_requests")]
    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
