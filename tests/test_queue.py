"""The job queue backends: a PostgreSQL queue when PAYDESK_QUEUE_URL names one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection

CHECK = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paydesk.config.settings")
django.setup()
from huey.contrib.djhuey import HUEY
from paydesk.messaging.tasks import deliver_due_messages
HUEY.flush()
deliver_due_messages()
print(type(HUEY.storage).__name__, HUEY.pending_count())
task = HUEY.dequeue()
print(task.name)
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL server")
def test_a_postgres_queue_url_gives_workers_a_shared_queue_table():
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    environment = {**os.environ, "PAYDESK_QUEUE_URL": url}
    output = subprocess.run([sys.executable, "-c", CHECK], env=environment, capture_output=True, text=True, timeout=60)
    assert output.returncode == 0, output.stderr
    storage, pending, task_name = output.stdout.split()
    assert (storage, pending) == ("SqlStorage", "1")
    assert task_name.endswith("deliver_due_messages")
