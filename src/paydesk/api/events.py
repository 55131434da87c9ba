from __future__ import annotations

from ninja import Router

from paydesk.events.selectors import event_get, event_list
from paydesk.messaging.webhooks import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_get,
    webhook_endpoint_list,
)

from .objects import event_object, webhook_endpoint_object
from .pagination import list_envelope
from .schemas import WebhookEndpointCreate

router = Router(tags=["events and webhooks"])


@router.get("/events", summary="List events, newest first")
def list_events(request, limit: int | None = None, starting_after: str | None = None, type: str | None = None):
    events = event_list(business=request.business, livemode=request.livemode, type=type)
    return list_envelope(
        events, to_object=event_object, url="/api/v1/events",
        limit=limit, starting_after=starting_after, kind="event",
    )


@router.get("/events/{event_id}", summary="Retrieve an event")
def retrieve_event(request, event_id: str):
    return event_object(event_get(business=request.business, livemode=request.livemode, public_id=event_id))


@router.post("/webhook_endpoints", summary="Create a webhook endpoint (the answer holds its signing secret)")
def create_webhook_endpoint(request, payload: WebhookEndpointCreate):
    endpoint = webhook_endpoint_create(
        business=request.business, livemode=request.livemode, url=payload.url, enabled_events=payload.enabled_events
    )
    return webhook_endpoint_object(endpoint, include_secret=True)


@router.get("/webhook_endpoints", summary="List webhook endpoints")
def list_webhook_endpoints(request, limit: int | None = None, starting_after: str | None = None):
    endpoints = webhook_endpoint_list(business=request.business, livemode=request.livemode)
    return list_envelope(
        endpoints, to_object=webhook_endpoint_object, url="/api/v1/webhook_endpoints",
        limit=limit, starting_after=starting_after, kind="webhook_endpoint",
    )


@router.get("/webhook_endpoints/{endpoint_id}", summary="Retrieve a webhook endpoint")
def retrieve_webhook_endpoint(request, endpoint_id: str):
    endpoint = webhook_endpoint_get(business=request.business, livemode=request.livemode, public_id=endpoint_id)
    return webhook_endpoint_object(endpoint)


@router.delete("/webhook_endpoints/{endpoint_id}", summary="Delete a webhook endpoint")
def delete_webhook_endpoint(request, endpoint_id: str):
    endpoint = webhook_endpoint_get(business=request.business, livemode=request.livemode, public_id=endpoint_id)
    webhook_endpoint_delete(endpoint=endpoint)
    return {"id": endpoint.public_id, "object": "webhook_endpoint", "deleted": True}
