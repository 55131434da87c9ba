"""Thin huey tasks: the queue wakes workers; the database says what is due (rule 5)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .webhooks import webhook_deliveries_sweep


@db_task()
def deliver_due_webhooks() -> int:
    return webhook_deliveries_sweep()


@db_periodic_task(crontab(minute="*"))
def sweep_webhooks_every_minute() -> int:
    """Retries and anything a lost wake-up left behind."""
    return webhook_deliveries_sweep()


def wake_webhook_worker() -> None:
    try:
        deliver_due_webhooks()
    except Exception:  # the sweep will find it within a minute; never fail the commit
        pass
