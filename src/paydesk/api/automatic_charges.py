from __future__ import annotations

from ninja import Router

from paydesk.core.errors import NotFound, PaydeskError
from paydesk.invoicing.selectors import invoice_get
from paydesk.payments.automatic_charges import automatic_charge_create
from paydesk.payments.models import SavedPaymentMethod
from paydesk.payments.saved_methods import saved_method_get
from paydesk.providers.sandbox.provider import sandbox_card_drain, sandbox_card_fund

from .objects import automatic_charge_object
from .schemas import AutomaticChargeCreate

router = Router(tags=["automatic charges"])


@router.post("/invoices/{invoice_id}/charge_automatically", summary="Charge the invoice to a saved card on its due date")
def charge_automatically(request, invoice_id: str, payload: AutomaticChargeCreate):
    invoice = invoice_get(business=request.business, livemode=request.livemode, public_id=invoice_id)
    method = None
    if payload.payment_method:
        method = saved_method_get(customer=invoice.customer, public_id=payload.payment_method, param="payment_method")
    return automatic_charge_object(automatic_charge_create(invoice=invoice, saved_method=method))


@router.get("/invoices/{invoice_id}/automatic_charge", summary="Where an invoice's automatic charge and its retries stand")
def retrieve_automatic_charge(request, invoice_id: str):
    invoice = invoice_get(business=request.business, livemode=request.livemode, public_id=invoice_id)
    charge = invoice.automatic_charges.filter(plan_part=None).first()
    if charge is None:
        raise NotFound("automatic_charge", invoice_id)
    return automatic_charge_object(charge)


@router.post(
    "/test_helpers/payment_methods/{method_id}/fund",
    summary="Test mode: a saved sandbox card with insufficient funds now has money",
    tags=["test helpers"],
)
def fund_payment_method(request, method_id: str):
    method = _sandbox_method(request, method_id)
    return {"id": method.public_id, "object": "payment_method", "funded": sandbox_card_fund(method.provider_token)}


@router.post(
    "/test_helpers/payment_methods/{method_id}/drain",
    summary="Test mode: a saved sandbox card runs out of money (declined for insufficient funds until funded)",
    tags=["test helpers"],
)
def drain_payment_method(request, method_id: str):
    method = _sandbox_method(request, method_id)
    return {"id": method.public_id, "object": "payment_method", "drained": sandbox_card_drain(method.provider_token)}


def _sandbox_method(request, method_id: str) -> SavedPaymentMethod:
    if request.livemode:
        raise PaydeskError("test_mode_only", "Test helpers work with test keys only.", http_status=400)
    method = SavedPaymentMethod.objects.filter(
        business=request.business, livemode=False, public_id=method_id, provider="sandbox"
    ).first()
    if method is None:
        raise NotFound("payment_method", method_id)
    return method
