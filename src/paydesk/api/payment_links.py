from __future__ import annotations

from ninja import Router

from paydesk.invoicing.payment_links import payment_link_create, payment_link_get

from .objects import payment_link_object
from .schemas import PaymentLinkCreate

router = Router(tags=["payment links"])


@router.post("/payment_links", summary="Create a payment link for an ad-hoc amount")
def create_payment_link(request, payload: PaymentLinkCreate):
    link = payment_link_create(
        business=request.business, livemode=request.livemode,
        amount=payload.amount, currency=payload.currency, description=payload.description,
    )
    return payment_link_object(link)


@router.get("/payment_links/{link_id}", summary="Retrieve a payment link")
def retrieve_payment_link(request, link_id: str):
    return payment_link_object(payment_link_get(business=request.business, livemode=request.livemode, public_id=link_id))
