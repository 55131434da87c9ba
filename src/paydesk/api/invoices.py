from __future__ import annotations

from ninja import Router

from paydesk.core.errors import PaydeskError
from paydesk.customers.selectors import customer_get
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.selectors import invoice_get, invoice_list
from paydesk.invoicing.services import (
    NewLine,
    invoice_create,
    invoice_finalize,
    invoice_mark_uncollectible,
    invoice_void,
)

from paydesk.messaging.notifications import invoice_send

from .objects import invoice_object, message_object
from .pagination import list_envelope
from .schemas import InvoiceCreate

router = Router(tags=["invoices"])


def _invoice(request, invoice_id: str):
    return invoice_get(business=request.business, livemode=request.livemode, public_id=invoice_id)


@router.post("/invoices", summary="Create a draft invoice")
def create_invoice(request, payload: InvoiceCreate):
    customer = customer_get(
        business=request.business, livemode=request.livemode, public_id=payload.customer, param="customer"
    )
    invoice = invoice_create(
        business=request.business,
        livemode=request.livemode,
        customer=customer,
        currency=payload.currency,
        due_date=payload.due_date,
        discount_amount=payload.discount_amount,
        description=payload.description,
        lines=[
            NewLine(line.description, line.quantity, line.unit_amount, line.tax_rate_percent)
            for line in payload.lines
        ],
    )
    return invoice_object(invoice)


@router.get("/invoices", summary="List invoices")
def list_invoices(
    request,
    limit: int | None = None,
    starting_after: str | None = None,
    status: str | None = None,
    customer: str | None = None,
):
    if status and status not in {choice.value for choice in InvoiceStatus}:
        raise PaydeskError("parameter_invalid_value", f"Unknown status '{status}'.", param="status")
    customer_object_ = None
    if customer:
        customer_object_ = customer_get(
            business=request.business, livemode=request.livemode, public_id=customer, param="customer"
        )
    invoices = invoice_list(
        business=request.business, livemode=request.livemode, status=status, customer=customer_object_
    )
    return list_envelope(
        invoices, to_object=invoice_object, url="/api/v1/invoices",
        limit=limit, starting_after=starting_after, kind="invoice",
    )


@router.get("/invoices/{invoice_id}", summary="Retrieve an invoice")
def retrieve_invoice(request, invoice_id: str):
    return invoice_object(_invoice(request, invoice_id))


@router.post("/invoices/{invoice_id}/finalize", summary="Finalize a draft: number it and open it for payment")
def finalize_invoice(request, invoice_id: str):
    return invoice_object(invoice_finalize(invoice=_invoice(request, invoice_id)))


@router.post("/invoices/{invoice_id}/void", summary="Void an invoice nothing was paid on")
def void_invoice(request, invoice_id: str):
    return invoice_object(invoice_void(invoice=_invoice(request, invoice_id)))


@router.post("/invoices/{invoice_id}/mark_uncollectible", summary="Write off what remains")
def mark_uncollectible(request, invoice_id: str):
    return invoice_object(invoice_mark_uncollectible(invoice=_invoice(request, invoice_id)))


@router.post("/invoices/{invoice_id}/send", summary="Email the invoice's link to the customer")
def send_invoice(request, invoice_id: str):
    message = invoice_send(invoice=_invoice(request, invoice_id))
    invoice = _invoice(request, invoice_id)
    return {**invoice_object(invoice), "message": message_object(message)}
