"""One payment for several invoices of one customer (the customer portal's "pay selected").

The split is fixed before the charge (``Payment.several_invoices``: each invoice and how much
of it) and every invoice is row-locked, in id order so two such payments can never deadlock,
before what remains is read. On success each invoice gets its allocation, its ledger entries
and its plan's parts, exactly as a payment of that one invoice would.
"""

from __future__ import annotations

from django.db import transaction

from paydesk.core.errors import PaydeskError
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import invoice_lock
from paydesk.providers.base import CardDetails, ChargeRequest
from paydesk.providers.registry import provider_for

from .models import Payment, SavedPaymentMethod
from .services import check_payable, new_payment
from .settlement import payment_apply_result

MAX_INVOICES = 50


def invoices_locked_for(payment: Payment) -> list[Invoice]:
    """The invoices a payment pays, row-locked in id order (one, several, or none)."""
    if payment.several_invoices:
        return [invoice_lock(pk) for pk in sorted(row["invoice"] for row in payment.several_invoices)]
    if payment.invoice_id is not None:
        return [invoice_lock(payment.invoice_id)]
    return []


def split_still_fits(payment: Payment, invoices: list[Invoice]) -> bool:
    """Whether each invoice can still take its share (none was paid or closed meanwhile)."""
    by_pk = {invoice.pk: invoice for invoice in invoices}
    return all(
        by_pk[row["invoice"]].status == InvoiceStatus.OPEN
        and row["amount"] <= by_pk[row["invoice"]].total - by_pk[row["invoice"]].amount_paid
        for row in payment.several_invoices
    )


def payment_create_for_invoices(
    *,
    invoices: list[Invoice],
    card: CardDetails | None = None,
    saved_method: SavedPaymentMethod | None = None,
    return_url: str = "",
) -> Payment:
    """Charge one card (typed or saved) for all that remains on each of ``invoices``.

    Refuses: no invoices or too many, invoices of different customers, businesses, modes or
    currencies, and any invoice that cannot be paid (the same refusals as one invoice).
    Returns the payment in whatever state the provider left it.
    """
    if not invoices or len(invoices) > MAX_INVOICES:
        raise PaydeskError("invoices_invalid", f"Choose from 1 to {MAX_INVOICES} invoices.", param="invoices")
    first = invoices[0]
    if len(invoices) == 1:
        from .services import payment_create

        return payment_create(invoice=first, card=card, saved_method=saved_method, return_url=return_url)
    if any(
        (invoice.business_id, invoice.livemode, invoice.customer_id, invoice.currency)
        != (first.business_id, first.livemode, first.customer_id, first.currency)
        for invoice in invoices
    ):
        raise PaydeskError(
            "invoices_invalid", "Invoices paid together must be one customer's, in one currency.", param="invoices"
        )
    provider = provider_for(business=first.business, livemode=first.livemode)
    with transaction.atomic():
        locked = [invoice_lock(pk) for pk in sorted({invoice.pk for invoice in invoices})]
        shares = [{"invoice": invoice.pk, "amount": check_payable(invoice, None)} for invoice in locked]
        if saved_method is not None and (
            saved_method.customer_id != first.customer_id or not saved_method.active or saved_method.removed_at
        ):
            raise PaydeskError("resource_missing", "No such payment method.", param="payment_method", http_status=404)
        total = sum(share["amount"] for share in shares)
        payment = new_payment(
            locked[0],
            amount=total,
            provider=provider.info.name,
            return_url=return_url,
            saved_method=saved_method,
            several_invoices=shares,
            of_invoice=False,  # not one invoice's payment: the split says which
        )
        numbers = ", ".join(invoice.number for invoice in locked)
        result = provider.charge_create(
            ChargeRequest(
                amount=total,
                currency=first.currency,
                card=card,
                reference=payment.public_id,
                return_url=return_url,
                description=f"Invoices {numbers}"[:200],
                saved_token=saved_method.provider_token if saved_method is not None else "",
            )
        )
        payment_apply_result(payment, None, result)
        payment.failure_param = result.failure_param
    return payment
