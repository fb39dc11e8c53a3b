"""The Celery app: background work (large imports), `celery -A config.celery_app worker`.

Settings come from Django's (CELERY_*): the broker is Redis on 127.0.0.1:6379 unless
CELERY_BROKER_URL says otherwise; CELERY_TASK_ALWAYS_EAGER runs tasks in-process (tests and
the embedded mode of `make run`). The apps declare their tasks with `shared_task`, so that
none of them imports this wiring.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
