"""Demo data: a plumbing business with customers and invoices in every state.

Loaded once; a later run finds the business and only prints how to get in. The demo's API
key is kept in the data directory, since only a digest of it is in the database.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from paydesk.api.objects import invoice_hosted_url
from paydesk.businesses.models import Business
from paydesk.businesses.services import (
    business_create,
    business_set_bank_details,
    business_set_logo,
    business_set_portal_texts,
)
from paydesk.core import clock
from paydesk.customers.services import customer_create, customer_update
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import NewLine, invoice_create, invoice_finalize, invoice_mark_uncollectible, invoice_void
from paydesk.payments.refunds import refund_create
from paydesk.payments.services import payment_create
from paydesk.terms.models import PlanPolicy
from paydesk.terms.services import plan_create
from paydesk.providers.base import CardDetails

from .logo import demo_logo_png

DEMO_EMAIL = "owner@demo-plumbing.test"
DEMO_PASSWORD = "demo-password"
DEMO_NAME = "Demo Plumbing Co."
GOOD_CARD = CardDetails("4242424242424242", 12, clock.today().year + 3, "123")


def _invoice(business, customer, lines, *, due_in_days, discount=0):
    invoice = invoice_create(
        business=business,
        livemode=False,
        customer=customer,
        currency=business.default_currency,
        due_date=clock.today() + datetime.timedelta(days=due_in_days),
        discount_amount=discount,
        lines=[NewLine(description, quantity, unit, Decimal(tax)) for description, quantity, unit, tax in lines],
    )
    return invoice


@transaction.atomic
def _load() -> dict:
    created = business_create(name=DEMO_NAME, email=DEMO_EMAIL, password=DEMO_PASSWORD)
    business = created.business
    business.phone = "+1 555 0100"
    business.accepts_pay_on_delivery = True
    business.save(update_fields=["phone", "accepts_pay_on_delivery"])
    business_set_portal_texts(
        business=business,
        portal_faq=(
            "When do I pay?\nBy the due date on your invoice. Can't pay it all at once? Choose \"Pay in parts\" "
            "or \"Pay later\" on the invoice.\n\nIs my card safe?\nYour card goes straight to our payment "
            "provider; we never see or keep the number."
        ),
        payment_instructions="Pay by card on the invoice page, by bank transfer with the reference shown there, or in cash when we visit.",
    )
    business_set_bank_details(
        business=business, account_holder="Demo Plumbing Co.", iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX",
        bank_name="Commerzbank",
    )
    business_set_logo(business=business, image=demo_logo_png())
    anna = customer_create(business=business, livemode=False, name="Анна Иванова", email="anna@example.test", preferred_locales=["ru"])
    john = customer_create(business=business, livemode=False, name="John Smith", email="john@example.test", preferred_locales=["en"])
    customer_update(customer=john, postal_code="90210")  # finds his bill on /portal/find with its number
    maria = customer_create(business=business, livemode=False, name="Maria Garcia", email="maria@example.test")
    oleg = customer_create(business=business, livemode=False, name="Олег Петров", email="oleg@example.test", preferred_locales=["ru"])

    call_out = ("Call-out fee", 1, 8000, "20")
    # Open, due in two weeks: the sample invoice a visitor pays.
    sample = _invoice(business, john, [call_out, ("Replace kitchen tap", 1, 12000, "20"), ("Copper fittings", 4, 750, "20")], due_in_days=14, discount=1000)
    invoice_finalize(invoice=sample)
    # A draft still being written.
    _invoice(business, maria, [("Boiler service", 1, 9500, "20")], due_in_days=30)
    # Customers may pay in up to 6 monthly parts or move the date by up to 30 days.
    PlanPolicy.objects.create(business=business, plans_enabled=True, pay_later_enabled=True)
    # Partly paid, the rest in three monthly parts.
    partly = _invoice(business, anna, [call_out, ("Radiator installation", 2, 15000, "20")], due_in_days=10)
    invoice_finalize(invoice=partly)
    payment_create(invoice=partly, card=GOOD_CARD, amount=10000)
    plan_create(invoice=partly, parts=3, start_date=clock.today() + datetime.timedelta(days=10))
    # Paid in full, then part refunded.
    paid = _invoice(business, oleg, [("Unblock drain", 1, 6000, "20")], due_in_days=7)
    invoice_finalize(invoice=paid)
    payment = payment_create(invoice=paid, card=GOOD_CARD)
    refund_create(payment=payment, amount=1500, reason="requested_by_customer")
    # Paid in full.
    paid_too = _invoice(business, john, [("Annual gas safety check", 1, 7500, "0")], due_in_days=0)
    invoice_finalize(invoice=paid_too)
    payment_create(invoice=paid_too, card=GOOD_CARD)
    # Overdue, and the customer has asked to pay it in two parts.
    overdue = _invoice(business, maria, [call_out, ("Leak repair", 1, 11000, "20")], due_in_days=-12)
    invoice_finalize(invoice=overdue)
    plan_create(invoice=overdue, parts=2, requested_by="customer", needs_review=True)
    # Voided.
    voided = _invoice(business, anna, [("Duplicate call-out", 1, 8000, "20")], due_in_days=5)
    invoice_finalize(invoice=voided)
    invoice_void(invoice=voided)
    # Written off.
    written_off = _invoice(business, oleg, [("Emergency night visit", 1, 20000, "20")], due_in_days=-60)
    invoice_finalize(invoice=written_off)
    invoice_mark_uncollectible(invoice=written_off)
    return {"business_id": business.public_id, "secret_key": created.secret_key, "sample_invoice": sample.public_id}


def demo_load() -> dict:
    """Load the demo once; answer how to get in either way."""
    keys_file = settings.DATA_DIR / "demo.json"
    business = Business.objects.filter(email=DEMO_EMAIL, name=DEMO_NAME).first()
    if business is None or not keys_file.exists():
        stored = _load()
        keys_file.write_text(json.dumps(stored))
        keys_file.chmod(0o600)
    stored = json.loads(keys_file.read_text())
    sample = Invoice.objects.get(public_id=stored["sample_invoice"])
    return {
        "business_name": DEMO_NAME,
        "email": DEMO_EMAIL,
        "password": DEMO_PASSWORD,
        "secret_key": stored["secret_key"],
        "sample_invoice_url": invoice_hosted_url(sample),
    }
