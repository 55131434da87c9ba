from __future__ import annotations

from ninja import Router

from paydesk.core.errors import PaydeskError
from paydesk.invoicing.selectors import invoice_get
from paydesk.payments.enums import PaymentStatus
from paydesk.payments.bank_transfers import bank_transfer_receive, bank_transfer_start
from paydesk.payments.refunds import refund_create
from paydesk.payments.saved_methods import saved_method_get
from paydesk.payments.selectors import payment_get, payment_list, refund_get, refund_list
from paydesk.payments.services import card_error_for, payment_cancel, payment_complete_action, payment_create
from paydesk.providers.base import CardDetails

from .objects import payment_object, refund_object
from .pagination import list_envelope
from paydesk.core import clock
from paydesk.jobs import advance_test_clock

from .schemas import BankTransferArrival, ClockAdvance, PaymentAuthentication, PaymentCreate, RefundCreate

router = Router(tags=["payments"])


@router.post("/payments", summary="Pay an invoice (all that remains, or part of it)")
def create_payment(request, payload: PaymentCreate):
    invoice = invoice_get(
        business=request.business, livemode=request.livemode, public_id=payload.invoice, param="invoice"
    )
    method = payload.payment_method
    if method.type == "bank_transfer":
        return payment_object(bank_transfer_start(invoice=invoice, amount=payload.amount))
    saved_method = card = None
    if method.type == "saved":
        saved_method = saved_method_get(customer=invoice.customer, public_id=method.id or "", param="payment_method")
    else:
        if request.livemode:
            raise PaydeskError(
                "raw_card_data_not_allowed",
                "Card numbers are accepted over the API in test mode only.",
                param="payment_method[card]",
            )
        card = CardDetails(method.card.number, method.card.exp_month, method.card.exp_year, method.card.cvc)
    payment = payment_create(
        invoice=invoice,
        amount=payload.amount,
        return_url=payload.return_url,
        card=card,
        saved_method=saved_method,
        save_card=payload.save_payment_method,
    )
    if payment.status == PaymentStatus.FAILED:
        failure_param = getattr(payment, "failure_param", "")
        raise card_error_for(payment, param=f"payment_method[card][{failure_param}]" if failure_param else None)
    return payment_object(payment)


@router.get("/payments", summary="List payments")
def list_payments(request, limit: int | None = None, starting_after: str | None = None, invoice: str | None = None):
    invoice_filter = None
    if invoice:
        invoice_filter = invoice_get(business=request.business, livemode=request.livemode, public_id=invoice, param="invoice")
    payments = payment_list(business=request.business, livemode=request.livemode, invoice=invoice_filter)
    return list_envelope(
        payments, to_object=payment_object, url="/api/v1/payments",
        limit=limit, starting_after=starting_after, kind="payment",
    )


@router.get("/payments/{payment_id}", summary="Retrieve a payment")
def retrieve_payment(request, payment_id: str):
    return payment_object(payment_get(business=request.business, livemode=request.livemode, public_id=payment_id))


@router.post("/payments/{payment_id}/cancel", summary="Cancel a payment that has not been charged")
def cancel_payment(request, payment_id: str):
    payment = payment_get(business=request.business, livemode=request.livemode, public_id=payment_id)
    return payment_object(payment_cancel(payment=payment))


@router.post("/refunds", summary="Refund a payment, fully or partly")
def create_refund(request, payload: RefundCreate):
    payment = payment_get(
        business=request.business, livemode=request.livemode, public_id=payload.payment, param="payment"
    )
    refund = refund_create(payment=payment, amount=payload.amount, reason=payload.reason or "")
    return refund_object(refund)


@router.get("/refunds", summary="List refunds")
def list_refunds(request, limit: int | None = None, starting_after: str | None = None, payment: str | None = None):
    payment_filter = None
    if payment:
        payment_filter = payment_get(business=request.business, livemode=request.livemode, public_id=payment, param="payment")
    refunds = refund_list(business=request.business, livemode=request.livemode, payment=payment_filter)
    return list_envelope(
        refunds, to_object=refund_object, url="/api/v1/refunds",
        limit=limit, starting_after=starting_after, kind="refund",
    )


@router.get("/refunds/{refund_id}", summary="Retrieve a refund")
def retrieve_refund(request, refund_id: str):
    return refund_object(refund_get(business=request.business, livemode=request.livemode, public_id=refund_id))


@router.post(
    "/test_helpers/payments/{payment_id}/authenticate",
    summary="Test mode: answer a 3-D Secure challenge without the browser",
    tags=["test helpers"],
)
def authenticate_payment(request, payment_id: str, payload: PaymentAuthentication):
    if request.livemode:
        raise PaydeskError("test_mode_only", "Test helpers work with test keys only.", http_status=400)
    payment = payment_get(business=request.business, livemode=request.livemode, public_id=payment_id)
    payment = payment_complete_action(payment=payment, approved=payload.outcome == "approve")
    if payment.status == PaymentStatus.FAILED:
        raise card_error_for(payment)
    return payment_object(payment)


@router.post(
    "/test_helpers/bank_transfers",
    summary="Test mode: simulate money arriving by bank transfer with a reference",
    tags=["test helpers"],
)
def simulate_bank_transfer(request, payload: BankTransferArrival):
    if request.livemode:
        raise PaydeskError("test_mode_only", "Test helpers work with test keys only.", http_status=400)
    payment = bank_transfer_receive(
        business=request.business, livemode=request.livemode,
        reference=payload.reference, amount=payload.amount, currency=payload.currency,
    )
    return payment_object(payment)


@router.post(
    "/test_helpers/advance_clock",
    summary="Test mode: move this business's clock forward and run all work that became due",
    tags=["test helpers"],
)
def advance_clock(request, payload: ClockAdvance):
    if request.livemode:
        raise PaydeskError("test_mode_only", "Test helpers work with test keys only.", http_status=400)
    business, done = advance_test_clock(business=request.business, seconds=payload.days * 86400 + payload.hours * 3600)
    with clock.business_time(business, livemode=False):
        frozen_time = clock.now()
    return {
        "object": "test_clock",
        "business": business.public_id,
        "offset_seconds": business.test_clock_offset_seconds,
        "now": int(frozen_time.timestamp()),
        "work_done": done,
    }
