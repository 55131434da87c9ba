"""Thin huey tasks: the queue wakes workers; the database says what is due (rule 5)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .delivery import messages_deliver_due
from .webhooks import webhook_deliveries_sweep


@db_task()
def deliver_due_webhooks() -> int:
    return webhook_deliveries_sweep()


@db_task()
def deliver_due_messages() -> int:
    return messages_deliver_due()


@db_periodic_task(crontab(minute="*"))
def sweep_every_minute() -> None:
    """All due work: automatic charges, reminders, digests, refund retries, and any
    message or webhook a lost wake-up left behind (paydesk.jobs)."""
    from paydesk.jobs import run_due_work

    run_due_work()


def _wake(task) -> None:
    try:
        task()
    except Exception:  # the minute sweep will find the work; never fail the commit
        pass


def wake_webhook_worker() -> None:
    _wake(deliver_due_webhooks)


def wake_message_worker() -> None:
    _wake(deliver_due_messages)
