"""The Celery application. With REDIS_URL set, `./tongban worker` runs a Celery worker with
the beat schedule; without it tasks run eagerly in-process and the embedded scheduler runs
the schedule (ADR 0004). Either way the job functions are the same."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")

app = Celery("tongban")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
