"""Payment links: one URL for a fixed amount; each payer who uses it gets an invoice."""

from __future__ import annotations

from django.db import transaction

from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.core.errors import NotFound, PaydeskError
from paydesk.core.money import MAX_AMOUNT_MINOR, is_supported_currency
from paydesk.customers.services import customer_create

from .models import Invoice, PaymentLink
from .services import NewLine, invoice_create, invoice_finalize


@transaction.atomic
def payment_link_create(
    *, business: Business, livemode: bool, amount: int, currency: str, description: str
) -> PaymentLink:
    if not is_supported_currency(currency):
        raise PaydeskError("currency_invalid", f"Unsupported currency '{currency}'.", param="currency")
    if type(amount) is not int or not 1 <= amount <= MAX_AMOUNT_MINOR:
        raise PaydeskError("amount_invalid", "The amount must be a positive whole number of minor units.", param="amount")
    description = (description or "").strip()
    if not description:
        raise PaydeskError("parameter_missing", "Say what the payment is for.", param="description")
    return PaymentLink.objects.create(
        business=business,
        livemode=livemode,
        amount=amount,
        currency=currency,
        description=description[:500],
        created=clock.now(),
    )


def payment_link_get(*, business: Business, livemode: bool, public_id: str) -> PaymentLink:
    link = PaymentLink.objects.filter(business=business, livemode=livemode, public_id=public_id).first()
    if link is None:
        raise NotFound("payment_link", public_id)
    return link


@transaction.atomic
def payment_link_invoice(*, link: PaymentLink, email: str, name: str = "") -> Invoice:
    """The open invoice for this payer: a new customer with that email, and a one-line
    invoice for the link's amount, due today.

    Always a new customer: anyone can type any email here, so the payer must never be
    joined to an existing customer (and see or use that customer's saved cards).
    """
    if not link.active:
        raise PaydeskError("payment_link_inactive", "This payment link is no longer active.")
    email = (email or "").strip()
    if "@" not in email or len(email) > 254 or " " in email:
        raise PaydeskError("email_invalid", "Enter the email address for your receipt.", param="email")
    customer = customer_create(business=link.business, livemode=link.livemode, name=name.strip()[:200], email=email)
    invoice = invoice_create(
        business=link.business,
        livemode=link.livemode,
        customer=customer,
        currency=link.currency,
        lines=[NewLine(link.description, 1, link.amount)],
        due_date=clock.today(),
        description=link.description,
    )
    Invoice.objects.filter(pk=invoice.pk).update(payment_link=link)
    return invoice_finalize(invoice=invoice)
