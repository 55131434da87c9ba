"""Thin huey tasks for payments: the database says what is due (rule 5)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .refunds import refunds_retry_pending


@db_periodic_task(crontab(minute="*"))
def retry_pending_refunds_every_minute() -> int:
    """Refunds whose provider answer was lost are asked about again, under the same id."""
    return refunds_retry_pending()
