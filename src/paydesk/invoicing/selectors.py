from __future__ import annotations

from paydesk.businesses.models import Business
from paydesk.core.errors import NotFound

from .models import Invoice


def invoice_get(*, business: Business, livemode: bool, public_id: str, param=None) -> Invoice:
    invoice = (
        Invoice.objects.select_related("business", "customer")
        .filter(business=business, livemode=livemode, public_id=public_id)
        .first()
    )
    if invoice is None:
        raise NotFound("invoice", public_id, param=param)
    return invoice


def invoice_list(*, business: Business, livemode: bool, status: str | None = None, customer=None):
    invoices = Invoice.objects.filter(business=business, livemode=livemode).select_related("customer")
    if status:
        invoices = invoices.filter(status=status)
    if customer is not None:
        invoices = invoices.filter(customer=customer)
    return invoices.prefetch_related("lines").order_by("-id")
