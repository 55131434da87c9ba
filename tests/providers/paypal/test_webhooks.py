"""PayPal webhooks: verified by (the fake) PayPal, then applied to the payment; forgeries refused."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from paydesk.ledger.checks import ledger_check
from paydesk.payments.models import Payment
from paydesk.payments.services import payment_create
from paydesk.providers import registry
from paydesk.providers.paypal.adapter import PayPalProvider
from paydesk.providers.paypal.config import PayPalNotConfigured
from paydesk.providers.paypal.webhooks import (
    PayPalWebhookRejected,
    WebhookOutcome,
    webhook_apply,
    webhook_receive,
    webhook_verify,
)

from ...conftest import card
from .conftest import WEBHOOK_ID
from .fake_paypal import fixture, fixture_bytes

ORDER_ID = "5O190127TN364715T"
CAPTURE_ID = "3C679366HH908993F"
VERIFY_PATH = "/v1/notifications/verify-webhook-signature"
HEADERS = fixture("webhook_transmission_headers")
THREE_D_SECURE_CARD = "4000002500003155"


@pytest.fixture
def waiting_paypal_payment(open_invoice) -> Payment:
    """A payment of the whole 120.00 invoice waiting for the payer on PayPal's page.

    Made through the sandbox (the only provider payments can create today), then
    pointed at the PayPal order, as a PayPal ``order_create`` would have left it.
    """
    payment = payment_create(invoice=open_invoice, card=card(THREE_D_SECURE_CARD))
    assert (payment.status, payment.amount, payment.currency) == ("requires_action", 12000, "usd")
    Payment.objects.filter(pk=payment.pk).update(provider="paypal", provider_reference=ORDER_ID)
    payment.refresh_from_db()
    return payment


@pytest.fixture
def paypal_in_registry(monkeypatch):
    """Until the registry lists PayPal (a wiring line of its own), put it there for the test."""
    monkeypatch.setitem(registry.PROVIDERS, "paypal", PayPalProvider())


def post_webhook(event_fixture: str, headers: dict[str, str] | None = None):
    request = RequestFactory().post(
        "/providers/paypal/webhook",
        data=fixture_bytes(event_fixture),
        content_type="application/json",
        headers=HEADERS if headers is None else headers,
    )
    return webhook_receive(request)


def test_the_verification_request_carries_the_headers_the_webhook_id_and_the_exact_event(fake_paypal):
    fake_paypal.replay("POST", VERIFY_PATH, "verify_webhook_signature_success")
    raw_body = fixture_bytes("webhook_payment_capture_completed")

    event = webhook_verify(raw_body=raw_body, headers={name.lower(): value for name, value in HEADERS.items()})

    assert event == json.loads(raw_body)
    (request,) = fake_paypal.api_requests()
    assert request.header("Content-Type") == "application/json"
    assert request.json() == {
        "auth_algo": HEADERS["PAYPAL-AUTH-ALGO"],
        "cert_url": HEADERS["PAYPAL-CERT-URL"],
        "transmission_id": HEADERS["PAYPAL-TRANSMISSION-ID"],
        "transmission_sig": HEADERS["PAYPAL-TRANSMISSION-SIG"],
        "transmission_time": HEADERS["PAYPAL-TRANSMISSION-TIME"],
        "webhook_id": WEBHOOK_ID,
        "webhook_event": json.loads(raw_body),
    }
    # Byte for byte, as PayPal signed it: not re-serialized.
    assert raw_body.strip() in request.body


def test_a_verified_capture_completed_settles_the_waiting_payment(fake_paypal, waiting_paypal_payment, open_invoice):
    fake_paypal.replay("POST", VERIFY_PATH, "verify_webhook_signature_success")

    response = post_webhook("webhook_payment_capture_completed")

    assert (response.status_code, json.loads(response.content)) == (200, {"received": True, "action": "settled"})
    payment = Payment.objects.get(pk=waiting_paypal_payment.pk)
    assert (payment.status, payment.provider_reference, payment.fee_amount) == (
        "succeeded",
        f"{ORDER_ID}:{CAPTURE_ID}",
        468,
    )
    open_invoice.refresh_from_db()
    assert (open_invoice.status, open_invoice.amount_paid) == ("paid", 12000)
    assert ledger_check()["problems"] == []


def test_the_same_webhook_twice_changes_nothing_the_second_time(fake_paypal, waiting_paypal_payment, open_invoice):
    fake_paypal.replay("POST", VERIFY_PATH, "verify_webhook_signature_success")
    post_webhook("webhook_payment_capture_completed")

    response = post_webhook("webhook_payment_capture_completed")

    assert json.loads(response.content) == {"received": True, "action": "settled"}
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == 12000
    assert waiting_paypal_payment.allocations.count() == 1


def test_a_webhook_paypal_does_not_verify_is_rejected_and_changes_nothing(fake_paypal, waiting_paypal_payment, open_invoice):
    fake_paypal.replay("POST", VERIFY_PATH, "verify_webhook_signature_failure")

    response = post_webhook("webhook_payment_capture_completed")

    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "webhook_signature_invalid"
    payment = Payment.objects.get(pk=waiting_paypal_payment.pk)
    assert (payment.status, payment.provider_reference) == ("requires_action", ORDER_ID)
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == 0


def test_a_webhook_without_transmission_headers_is_rejected_without_asking_paypal(fake_paypal):
    headers = {name: value for name, value in HEADERS.items() if name != "PAYPAL-TRANSMISSION-SIG"}

    with pytest.raises(PayPalWebhookRejected) as rejected:
        webhook_verify(raw_body=fixture_bytes("webhook_payment_capture_completed"), headers=headers)

    assert rejected.value.message == "The webhook has no PAYPAL-TRANSMISSION-SIG header."
    assert fake_paypal.requests == []


def test_a_body_that_is_not_json_is_rejected_without_asking_paypal(fake_paypal):
    with pytest.raises(PayPalWebhookRejected):
        webhook_verify(raw_body=b'{"id": "WH-1", "resource": ', headers=HEADERS)

    assert fake_paypal.requests == []


def test_without_a_webhook_id_webhooks_cannot_be_verified(fake_paypal, monkeypatch):
    monkeypatch.delenv("PAYDESK_PAYPAL_WEBHOOK_ID")

    with pytest.raises(PayPalNotConfigured) as refused:
        webhook_verify(raw_body=fixture_bytes("webhook_payment_capture_completed"), headers=HEADERS)

    assert "PAYDESK_PAYPAL_WEBHOOK_ID" in refused.value.message
    assert fake_paypal.requests == []


def test_paypal_unreachable_while_verifying_asks_paypal_to_retry(fake_paypal, waiting_paypal_payment):
    fake_paypal.replay("POST", VERIFY_PATH, "internal_server_error")

    response = post_webhook("webhook_payment_capture_completed")

    assert response.status_code == 503
    assert Payment.objects.get(pk=waiting_paypal_payment.pk).status == "requires_action"


def test_an_approved_order_is_captured_when_the_payer_never_came_back(
    fake_paypal, paypal_in_registry, waiting_paypal_payment, open_invoice
):
    fake_paypal.replay("POST", f"/v2/checkout/orders/{ORDER_ID}/capture", "order_capture_completed")

    outcome = webhook_apply(json.loads(fixture_bytes("webhook_checkout_order_approved")))

    assert outcome == WebhookOutcome(
        "WH-COC11055RA711503B-4YM959094A144403T",
        "CHECKOUT.ORDER.APPROVED",
        "completed",
        waiting_paypal_payment.public_id,
    )
    payment = Payment.objects.get(pk=waiting_paypal_payment.pk)
    assert (payment.status, payment.provider_reference) == ("succeeded", f"{ORDER_ID}:{CAPTURE_ID}")
    open_invoice.refresh_from_db()
    assert open_invoice.status == "paid"


def test_a_denied_capture_fails_a_payment_held_for_review(
    fake_paypal, paypal_in_registry, waiting_paypal_payment, open_invoice
):
    fake_paypal.replay("POST", f"/v2/checkout/orders/{ORDER_ID}/capture", "order_capture_pending")
    webhook_apply(json.loads(fixture_bytes("webhook_checkout_order_approved")))
    assert Payment.objects.get(pk=waiting_paypal_payment.pk).status == "processing"

    outcome = webhook_apply(json.loads(fixture_bytes("webhook_payment_capture_denied")))

    assert outcome.action == "settled"
    payment = Payment.objects.get(pk=waiting_paypal_payment.pk)
    assert (payment.status, payment.decline_code, payment.provider_reference) == (
        "failed",
        "capture_declined",
        f"{ORDER_ID}:{CAPTURE_ID}",
    )
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == 0


def test_a_capture_for_another_amount_is_not_applied(fake_paypal, waiting_paypal_payment):
    event = json.loads(fixture_bytes("webhook_payment_capture_completed"))
    event["resource"]["amount"] = {"currency_code": "USD", "value": "1.20"}

    outcome = webhook_apply(event)

    assert outcome.action == "amount_mismatch"
    assert Payment.objects.get(pk=waiting_paypal_payment.pk).status == "requires_action"


def test_a_capture_for_an_unknown_order_touches_nothing(fake_paypal, waiting_paypal_payment):
    event = json.loads(fixture_bytes("webhook_payment_capture_completed"))
    event["resource"]["supplementary_data"]["related_ids"]["order_id"] = "9XX00000000000000"

    assert webhook_apply(event).action == "no_payment"
    assert Payment.objects.get(pk=waiting_paypal_payment.pk).status == "requires_action"


def test_a_refund_event_is_acknowledged_only(fake_paypal, waiting_paypal_payment):
    outcome = webhook_apply(json.loads(fixture_bytes("webhook_payment_capture_refunded")))

    assert (outcome.event_type, outcome.action, outcome.payment_id) == ("PAYMENT.CAPTURE.REFUNDED", "ignored", "")
    assert fake_paypal.requests == []
