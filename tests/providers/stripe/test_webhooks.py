"""Stripe's webhooks: only Stripe's signature, only recent, each event applied once, and only
to the business whose Stripe account sent it."""

from __future__ import annotations

import copy
import json
import logging
import time

import pytest

from paydesk.events.models import Event
from paydesk.ledger.models import JournalEntry
from paydesk.payments.models import Payment
from paydesk.payments.refunds import refund_create
from paydesk.payments.services import payment_create
from paydesk.providers.stripe.models import StripeWebhookEvent
from paydesk.providers.stripe.services import stripe_connection_create

from ...conftest import card, make_invoice
from .conftest import LIVE_PUBLISHABLE_KEY, LIVE_SECRET_KEY, LIVE_WEBHOOK_SECRET, stripe_signature
from .fake_stripe import load_fixture

THREE_D_SECURE_CARD = "4000002500003155"
SUCCEEDED = load_fixture("event_payment_intent_succeeded")
INTENT_ID = SUCCEEDED["data"]["object"]["id"]


def as_stripe_payment(payment: Payment, intent_id: str = INTENT_ID) -> Payment:
    """A payment made through the sandbox, re-labelled as the Stripe intent the events are about."""
    Payment.objects.filter(pk=payment.pk).update(provider="stripe", provider_reference=intent_id)
    payment.refresh_from_db()
    return payment


@pytest.fixture
def waiting_payment(open_invoice, connection) -> Payment:
    """A 120.00 payment waiting on 3-D Secure, known to Stripe as ``INTENT_ID``."""
    payment = payment_create(invoice=open_invoice, card=card(THREE_D_SECURE_CARD))
    assert payment.status == "requires_action"
    return as_stripe_payment(payment)


def deliver(client, business, event: dict | bytes, *, signature: str | None = None, secret: str | None = None):
    payload = event if isinstance(event, bytes) else json.dumps(event).encode()
    if signature is None:
        signature = stripe_signature(payload, **({"secret": secret} if secret else {}))
    return client.post(
        f"/providers/stripe/webhooks/{business.public_id}",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def payment_events(payment: Payment) -> list[str]:
    return list(
        Event.objects.filter(business=payment.business, data__id=payment.public_id)
        .order_by("id")
        .values_list("type", flat=True)
    )


def test_a_signed_success_settles_the_waiting_payment_and_pays_the_invoice(client, business, waiting_payment, open_invoice):
    response = deliver(client, business, SUCCEEDED)

    assert response.status_code == 200
    assert response.json() == {"received": True, "id": SUCCEEDED["id"], "duplicate": False, "outcome": "applied"}
    waiting_payment.refresh_from_db()
    assert (waiting_payment.status, waiting_payment.fee_amount, waiting_payment.next_action_url) == ("succeeded", 0, "")
    # The event's intent is not expanded: the card already on record stays.
    assert waiting_payment.card_last4 == THREE_D_SECURE_CARD[-4:]
    open_invoice.refresh_from_db()
    assert (open_invoice.status, open_invoice.amount_paid) == ("paid", 12000)
    assert payment_events(waiting_payment)[-1] == "payment.succeeded"
    record = StripeWebhookEvent.objects.get()
    assert (record.stripe_event_id, record.event_type, record.payment_intent_id, record.outcome) == (
        SUCCEEDED["id"],
        "payment_intent.succeeded",
        INTENT_ID,
        "applied",
    )


def test_a_repeated_delivery_is_answered_200_and_applied_once(client, business, waiting_payment):
    first = deliver(client, business, SUCCEEDED)
    again = deliver(client, business, SUCCEEDED)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"received": True, "id": SUCCEEDED["id"], "duplicate": True, "outcome": "applied"}
    assert StripeWebhookEvent.objects.count() == 1
    assert payment_events(waiting_payment).count("payment.succeeded") == 1
    # One balanced pair: cash at the provider, receivable settled (the fee is unknown: none posted).
    assert JournalEntry.objects.filter(payment=waiting_payment).count() == 2


def test_a_new_event_id_with_the_same_news_is_recorded_but_changes_nothing(client, business, waiting_payment):
    deliver(client, business, SUCCEEDED)
    resent = dict(SUCCEEDED, id="evt_3PbWZZZLk8sW1bx2Rresent01")

    response = deliver(client, business, resent)

    assert response.json()["outcome"] == "unchanged"
    assert StripeWebhookEvent.objects.count() == 2
    assert payment_events(waiting_payment).count("payment.succeeded") == 1


def test_a_tampered_body_is_refused_and_nothing_changes(client, business, waiting_payment):
    payload = json.dumps(SUCCEEDED).encode()
    signature = stripe_signature(payload)
    tampered = payload.replace(b'"amount": 12000', b'"amount": 1200', 1)
    assert tampered != payload

    response = deliver(client, business, tampered, signature=signature)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "type": "invalid_request_error",
            "code": "signature_invalid",
            "message": "No valid Stripe signature for this endpoint.",
        }
    }
    waiting_payment.refresh_from_db()
    assert waiting_payment.status == "requires_action"
    assert StripeWebhookEvent.objects.count() == 0


def test_a_signature_older_than_five_minutes_is_refused(client, business, waiting_payment):
    payload = json.dumps(SUCCEEDED).encode()
    stale = stripe_signature(payload, timestamp=int(time.time()) - 301)

    response = deliver(client, business, payload, signature=stale)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "invalid_request_error",
        "code": "timestamp_outside_tolerance",
        "message": "The signature's timestamp is more than 300 seconds old.",
    }
    waiting_payment.refresh_from_db()
    assert waiting_payment.status == "requires_action"
    assert StripeWebhookEvent.objects.count() == 0


def test_a_signature_four_minutes_old_is_still_accepted(client, business, waiting_payment):
    payload = json.dumps(SUCCEEDED).encode()

    response = deliver(client, business, payload, signature=stripe_signature(payload, timestamp=int(time.time()) - 240))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "t=1720521720",
        "garbage",
        "t=1720521720,v0=00",
    ],
)
def test_a_missing_or_malformed_signature_is_refused(client, business, waiting_payment, signature):
    response = client.post(
        f"/providers/stripe/webhooks/{business.public_id}",
        data=json.dumps(SUCCEEDED),
        content_type="application/json",
        **({"HTTP_STRIPE_SIGNATURE": signature} if signature else {}),
    )

    assert (response.status_code, response.json()["error"]["code"]) == (400, "signature_invalid")


def test_another_secret_or_another_business_is_refused(client, business, other_api, waiting_payment):
    from paydesk.businesses.models import Business

    wrong_secret = deliver(client, business, SUCCEEDED, secret="whsec_someoneElsesSigningSecret")
    other = Business.objects.exclude(pk=business.pk).get()
    unconnected = deliver(client, other, SUCCEEDED)
    unknown = client.post(
        "/providers/stripe/webhooks/biz_doesNotExist000000000000",
        data=json.dumps(SUCCEEDED),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(json.dumps(SUCCEEDED).encode()),
    )

    assert [r.status_code for r in (wrong_secret, unconnected, unknown)] == [400, 400, 400]
    waiting_payment.refresh_from_db()
    assert waiting_payment.status == "requires_action"


def test_only_post_is_accepted(client, business, connection):
    assert client.get(f"/providers/stripe/webhooks/{business.public_id}").status_code == 405


def test_a_signed_body_that_is_not_an_event_is_refused(client, business, connection):
    for body in (b"not json", b"[]", json.dumps({"object": "event", "id": "evt_1", "type": "x", "data": {}}).encode()):
        response = deliver(client, business, body)
        assert (response.status_code, response.json()["error"]["code"]) == (400, "payload_invalid"), body


def test_a_live_event_signed_with_the_test_secret_is_refused(client, business, waiting_payment):
    live_event = dict(SUCCEEDED, livemode=True)

    response = deliver(client, business, live_event)

    assert (response.status_code, response.json()["error"]["code"]) == (400, "livemode_mismatch")


def test_each_mode_has_its_own_secret(client, business, waiting_payment):
    stripe_connection_create(
        business=business,
        livemode=True,
        secret_key=LIVE_SECRET_KEY,
        publishable_key=LIVE_PUBLISHABLE_KEY,
        webhook_secret=LIVE_WEBHOOK_SECRET,
    )
    live_event = dict(SUCCEEDED, livemode=True)

    live = deliver(client, business, live_event, secret=LIVE_WEBHOOK_SECRET)
    test = deliver(client, business, SUCCEEDED)

    # The live event is verified, but no live payment has that intent (our payment is a test one).
    assert live.json()["outcome"] == "ignored_unknown_payment"
    assert test.json()["outcome"] == "applied"
    assert list(StripeWebhookEvent.objects.order_by("id").values_list("connection__livemode", flat=True)) == [True, False]


def test_a_failed_payment_is_failed_with_stripes_reason(client, business, waiting_payment):
    event = load_fixture("event_payment_intent_payment_failed")

    response = deliver(client, business, event)

    assert response.json()["outcome"] == "applied"
    waiting_payment.refresh_from_db()
    assert (waiting_payment.status, waiting_payment.failure_code, waiting_payment.decline_code) == (
        "failed",
        "payment_intent_authentication_failure",
        "",
    )
    assert waiting_payment.failure_message.startswith("The provided PaymentMethod has failed authentication.")


def test_processing_is_applied_once_and_then_succeeds(client, business, waiting_payment):
    processing = load_fixture("event_payment_intent_processing")

    first = deliver(client, business, processing)
    second = deliver(client, business, dict(processing, id="evt_3PbWZZZLk8sW1bx2Rprocess2"))
    waiting_payment.refresh_from_db()
    status_between = waiting_payment.status
    done = deliver(client, business, SUCCEEDED)

    assert [r.json()["outcome"] for r in (first, second, done)] == ["applied", "unchanged", "applied"]
    assert status_between == "processing"
    waiting_payment.refresh_from_db()
    assert waiting_payment.status == "succeeded"


def test_an_event_type_we_do_not_use_is_recorded_and_ignored(client, business, connection):
    event = load_fixture("event_customer_created")

    response = deliver(client, business, event)

    assert (response.status_code, response.json()["outcome"]) == (200, "ignored_event_type")
    assert StripeWebhookEvent.objects.get().payment_intent_id == ""


def test_another_businesss_payment_is_never_touched(client, business, connection, other_api):
    from paydesk.businesses.models import Business
    from paydesk.customers.services import customer_create

    other = Business.objects.exclude(pk=business.pk).get()
    other_customer = customer_create(business=other, livemode=False, name="Grace Hopper", email="grace@example.test")
    others_payment = as_stripe_payment(
        payment_create(invoice=make_invoice(other, other_customer), card=card(THREE_D_SECURE_CARD))
    )

    response = deliver(client, business, SUCCEEDED)

    assert response.json()["outcome"] == "ignored_unknown_payment"
    others_payment.refresh_from_db()
    assert others_payment.status == "requires_action"


def test_an_event_for_another_amount_is_not_applied(client, business, waiting_payment, caplog):
    event = copy.deepcopy(SUCCEEDED)
    event["data"]["object"]["amount"] = 1200

    response = deliver(client, business, event)

    assert response.json()["outcome"] == "amount_mismatch"
    waiting_payment.refresh_from_db()
    assert waiting_payment.status == "requires_action"
    assert f"payment {waiting_payment.public_id} is for 12000 usd; not applied" in caplog.text


def test_money_taken_for_a_payment_canceled_meanwhile_is_refunded_at_stripe(
    client, business, waiting_payment, open_invoice, fake_stripe
):
    # The invoice is paid another way while the payer is still on the 3-D Secure page.
    payment_create(invoice=open_invoice, card=card())
    refund = fake_stripe.will_answer("refund_create_not_counted_payment")

    response = deliver(client, business, SUCCEEDED)

    assert response.json()["outcome"] == "refunded_canceled_payment"
    waiting_payment.refresh_from_db()
    assert (waiting_payment.status, waiting_payment.failure_code) == ("canceled", "invoice_changed")
    [request] = fake_stripe.requests
    assert (request.method, request.path) == ("POST", "/v1/refunds")
    assert request.form == {
        "payment_intent": INTENT_ID,
        "amount": "12000",
        "metadata[paydesk_refund]": f"{waiting_payment.public_id}-not-counted",
    }
    assert request.headers["idempotency-key"] == f"{waiting_payment.public_id}-not-counted"
    assert refund["status"] == "succeeded"


def test_a_refund_stripe_refuses_for_a_canceled_payment_is_recorded_and_logged(
    client, business, waiting_payment, open_invoice, fake_stripe, caplog
):
    payment_create(invoice=open_invoice, card=card())
    fake_stripe.will_answer("refund_create_charge_already_refunded")

    response = deliver(client, business, SUCCEEDED)

    assert response.json()["outcome"] == "refund_failed"
    assert "refused to refund it: charge_already_refunded" in caplog.text


def test_when_the_owed_refund_cannot_be_made_nothing_is_recorded_and_stripe_retries(
    client, business, waiting_payment, open_invoice, fake_stripe
):
    payment_create(invoice=open_invoice, card=card())
    fake_stripe.will_answer("refund_create_api_error_500")

    response = deliver(client, business, SUCCEEDED)

    assert (response.status_code, response.json()["error"]["code"]) == (503, "provider_unavailable")
    assert StripeWebhookEvent.objects.count() == 0
    waiting_payment.refresh_from_db()
    assert waiting_payment.status == "requires_action"  # the cancellation was rolled back too


def test_a_charge_refunded_before_we_heard_it_succeed_settles_and_flags_the_outside_refund(
    client, business, waiting_payment, caplog
):
    event = load_fixture("event_charge_refunded")

    response = deliver(client, business, event)

    assert response.json()["outcome"] == "refund_not_recorded"
    waiting_payment.refresh_from_db()
    assert (waiting_payment.status, waiting_payment.amount_refunded) == ("succeeded", 0)
    assert (waiting_payment.card_brand, waiting_payment.card_last4) == ("visa", "3220")
    assert StripeWebhookEvent.objects.get().payment_intent_id == INTENT_ID
    assert f"Stripe shows 12000 refunded on {event['data']['object']['id']}" in caplog.text
    assert logging.WARNING in [record.levelno for record in caplog.records]


def test_a_refund_paydesk_made_itself_is_in_step(client, business, open_invoice, connection):
    payment = payment_create(invoice=open_invoice, card=card())
    refund_create(payment=payment)  # through the sandbox, then re-labelled as Stripe's
    payment = as_stripe_payment(payment)
    assert payment.amount_refunded == 12000

    response = deliver(client, business, load_fixture("event_charge_refunded"))

    assert response.json()["outcome"] == "unchanged"


def test_a_refund_for_an_unknown_or_mismatched_charge_changes_nothing(client, business, waiting_payment):
    event = load_fixture("event_charge_refunded")
    unknown = copy.deepcopy(event)
    unknown["id"], unknown["data"]["object"]["payment_intent"] = "evt_3PbWZZZLk8sW1bx2Runknown1", "pi_3PbWZZZLk8sW1bx2Rnobody00"
    mismatched = copy.deepcopy(event)
    mismatched["data"]["object"]["amount"] = 999

    outcomes = [deliver(client, business, e).json()["outcome"] for e in (unknown, mismatched)]

    assert outcomes == ["ignored_unknown_payment", "amount_mismatch"]
    waiting_payment.refresh_from_db()
    assert waiting_payment.status == "requires_action"
