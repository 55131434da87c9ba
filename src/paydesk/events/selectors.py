from __future__ import annotations

from paydesk.businesses.models import Business
from paydesk.core.errors import NotFound

from .models import Event


def event_list(*, business: Business, livemode: bool, type: str | None = None):
    events = Event.objects.filter(business=business, livemode=livemode)
    if type:
        if type.endswith(".*"):
            events = events.filter(type__startswith=type[:-1])
        else:
            events = events.filter(type=type)
    return events.order_by("-id")


def event_get(*, business: Business, livemode: bool, public_id: str) -> Event:
    event = Event.objects.filter(business=business, livemode=livemode, public_id=public_id).first()
    if event is None:
        raise NotFound("event", public_id)
    return event
