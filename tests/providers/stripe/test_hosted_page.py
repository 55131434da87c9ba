"""A live invoice paid through the business's Stripe account: the hosted page offers Stripe's
Payment Element, the PaymentIntent is created server side, and the payer's return settles it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from paydesk.customers.services import customer_create
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import NewLine, invoice_create, invoice_finalize
from paydesk.ledger.checks import ledger_check
from paydesk.payments.models import Payment
from paydesk.providers.stripe.services import stripe_connection_create

from .conftest import LIVE_PUBLISHABLE_KEY, LIVE_SECRET_KEY, LIVE_WEBHOOK_SECRET
from .fake_stripe import load_fixture

ELEMENT_INTENT = load_fixture("payment_intent_create_for_element")["response"]["body"]


@pytest.fixture
def live_invoice(business, fake_stripe, settings):
    settings.STRIPE_API_BASE = fake_stripe.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    stripe_connection_create(
        business=business, livemode=True, secret_key=LIVE_SECRET_KEY,
        publishable_key=LIVE_PUBLISHABLE_KEY, webhook_secret=LIVE_WEBHOOK_SECRET,
    )
    customer = customer_create(business=business, livemode=True, name="Live Customer", email="live@example.test")
    invoice = invoice_create(
        business=business, livemode=True, customer=customer, currency="usd",
        lines=[NewLine("Call-out", 1, 10000, Decimal("20"))],
    )
    return invoice_finalize(invoice=invoice)


def test_the_live_page_offers_stripe_and_never_a_raw_card_form(client, live_invoice):
    page = client.get(reverse("hosted-invoice", kwargs={"token": live_invoice.hosted_token})).content.decode()
    assert "Pay $120.00 by card, Apple Pay or Google Pay" in page
    assert 'id="card_number"' not in page and "Test Wallet" not in page


def test_the_payment_element_page_gets_a_fresh_intent_and_a_csp_naming_only_stripe(client, fake_stripe, live_invoice):
    fake_stripe.will_answer("payment_intent_create_for_element")
    response = client.post(reverse("hosted-invoice-stripe", kwargs={"token": live_invoice.hosted_token}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-client-secret="{ELEMENT_INTENT["client_secret"]}"' in html
    assert f'data-publishable-key="{LIVE_PUBLISHABLE_KEY}"' in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com" in policy and "unsafe-inline" not in policy
    sent = fake_stripe.requests[-1]
    assert sent.form["amount"] == "12000" and sent.form["automatic_payment_methods[enabled]"] == "true"
    payment = Payment.objects.get(invoice=live_invoice)
    assert sent.headers["idempotency-key"] == payment.public_id
    assert (payment.provider, payment.status, payment.provider_reference) == ("stripe", "requires_payment_method", ELEMENT_INTENT["id"])
    # the client secret is handed to the page only, never kept
    assert ELEMENT_INTENT["client_secret"] not in json.dumps(list(Payment.objects.values()), default=str)


def test_coming_back_from_stripe_settles_the_payment(client, fake_stripe, live_invoice):
    fake_stripe.will_answer("payment_intent_create_for_element")
    client.post(reverse("hosted-invoice-stripe", kwargs={"token": live_invoice.hosted_token}))
    payment = Payment.objects.get(invoice=live_invoice)
    succeeded = load_fixture("payment_intent_retrieve_succeeded_after_3ds")
    # the recorded intent, as this payment's: same id and amount
    body = {**succeeded["response"]["body"], "id": payment.provider_reference, "amount": 12000}
    fake_stripe.will_answer_body("GET", f"/v1/payment_intents/{payment.provider_reference}", body)
    back = client.get(
        reverse("hosted-invoice-stripe-return", kwargs={"token": live_invoice.hosted_token}),
        {"payment": payment.public_id, "payment_intent": payment.provider_reference},
    )
    assert back.status_code == 302 and "/receipts/" in back["Location"]
    assert Invoice.objects.get(pk=live_invoice.pk).status == "paid"
    assert ledger_check()["balanced"]


def test_a_return_naming_another_intent_changes_nothing(client, fake_stripe, live_invoice):
    fake_stripe.will_answer("payment_intent_create_for_element")
    client.post(reverse("hosted-invoice-stripe", kwargs={"token": live_invoice.hosted_token}))
    payment = Payment.objects.get(invoice=live_invoice)
    back = client.get(
        reverse("hosted-invoice-stripe-return", kwargs={"token": live_invoice.hosted_token}),
        {"payment": payment.public_id, "payment_intent": "pi_someone_else"},
    )
    assert back.status_code == 302
    assert Payment.objects.get(pk=payment.pk).status == "requires_payment_method"
