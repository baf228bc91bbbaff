"""Celery application: a worker in production, in-process (eager) on the embedded default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kepu.settings")

app = Celery("kepu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
