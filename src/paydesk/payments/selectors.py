from __future__ import annotations

from paydesk.businesses.models import Business
from paydesk.core.errors import NotFound

from .models import Payment, Refund


def payment_get(*, business: Business, livemode: bool, public_id: str, param=None) -> Payment:
    payment = (
        Payment.objects.select_related("business", "invoice", "customer")
        .filter(business=business, livemode=livemode, public_id=public_id)
        .first()
    )
    if payment is None:
        raise NotFound("payment", public_id, param=param)
    return payment


def payment_list(*, business: Business, livemode: bool, invoice=None, customer=None):
    payments = Payment.objects.filter(business=business, livemode=livemode).select_related(
        "invoice", "customer"
    )
    if invoice is not None:
        payments = payments.filter(invoice=invoice)
    if customer is not None:
        payments = payments.filter(customer=customer)
    return payments.order_by("-id")


def refund_get(*, business: Business, livemode: bool, public_id: str) -> Refund:
    refund = (
        Refund.objects.select_related("payment")
        .filter(business=business, livemode=livemode, public_id=public_id)
        .first()
    )
    if refund is None:
        raise NotFound("refund", public_id)
    return refund


def refund_list(*, business: Business, livemode: bool, payment=None):
    refunds = Refund.objects.filter(business=business, livemode=livemode).select_related("payment")
    if payment is not None:
        refunds = refunds.filter(payment=payment)
    return refunds.order_by("-id")
