"""Recording events. Called by every domain service inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from paydesk.businesses.models import Business
from paydesk.core import clock

from .models import Event


def event_record(
    *, business: Business, livemode: bool, type: str, data: dict[str, Any], subject: Any = None
) -> Event:
    """Append an event and queue its webhook deliveries, atomically with the caller's change.

    Refuses to run outside a transaction: an event without its change (or the reverse)
    would make the log lie. ``subject`` is the changed object itself, when the caller has it,
    so readers need not load it again.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("event_record must run inside the change's transaction")
    event = Event.objects.create(
        business=business, livemode=livemode, type=type, data=data, created=clock.now()
    )
    # Imported here because messaging reads events too; the dependency stays one-way at
    # import time.
    from paydesk.messaging.notifications import notify_for_event
    from paydesk.messaging.webhooks import webhook_deliveries_create

    webhook_deliveries_create(event=event)
    notify_for_event(event, subject=subject)
    return event
