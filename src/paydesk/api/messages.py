from __future__ import annotations

from ninja import Router

from paydesk.customers.selectors import customer_get
from paydesk.invoicing.selectors import invoice_get
from paydesk.messaging.models import Message

from .objects import message_object
from .pagination import list_envelope

router = Router(tags=["messages"])


@router.get("/messages", summary="List emails sent (or kept in the outbox) to customers")
def list_messages(
    request,
    limit: int | None = None,
    starting_after: str | None = None,
    invoice: str | None = None,
    customer: str | None = None,
):
    messages = Message.objects.filter(business=request.business, livemode=request.livemode).select_related(
        "invoice", "customer", "payment"
    )
    if invoice:
        messages = messages.filter(
            invoice=invoice_get(business=request.business, livemode=request.livemode, public_id=invoice, param="invoice")
        )
    if customer:
        messages = messages.filter(
            customer=customer_get(business=request.business, livemode=request.livemode, public_id=customer, param="customer")
        )
    return list_envelope(
        messages.order_by("-id"), to_object=message_object, url="/api/v1/messages",
        limit=limit, starting_after=starting_after, kind="message",
    )
