"""After 3-D Secure: Stripe's status is the answer. Refunds: keyed on our refund's id."""

from __future__ import annotations

import socket

import pytest

from paydesk.providers.base import CardSummary, ChargeOutcome, ChargeResult, RefundResult
from paydesk.providers.stripe.adapter import StripeProvider
from paydesk.providers.stripe.errors import ProviderRejected, ProviderUnavailable

from .conftest import SECRET_KEY
from .fake_stripe import load_fixture

INTENT_ID = load_fixture("payment_intent_create_requires_action")["response"]["body"]["id"]
CARD_3220 = CardSummary(brand="visa", last4="3220", exp_month=8, exp_year=2027)
REFUND_ID = "re_Vb3Nq8LkT1zW6cXm2RpY9aHd"
EXPAND = {"expand[0]": "latest_charge", "expand[1]": "payment_method"}


def test_an_authenticated_payment_is_a_success(provider, fake_stripe):
    fake_stripe.will_answer("payment_intent_retrieve_succeeded_after_3ds")

    result = provider.charge_complete_action(INTENT_ID, approved=True)

    assert result == ChargeResult(
        outcome=ChargeOutcome.SUCCEEDED, provider_reference=INTENT_ID, card=CARD_3220, fee_amount=0
    )
    [request] = fake_stripe.requests
    assert (request.method, request.path, request.query, request.form) == (
        "GET",
        f"/v1/payment_intents/{INTENT_ID}",
        EXPAND,
        {},
    )
    assert request.headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert "idempotency-key" not in request.headers


def test_a_failed_authentication_is_a_failure_with_stripes_reason(provider, fake_stripe):
    fake_stripe.will_answer("payment_intent_retrieve_authentication_failed")

    result = provider.charge_complete_action(INTENT_ID, approved=True)

    assert result == ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=INTENT_ID,
        card=CARD_3220,
        failure_code="payment_intent_authentication_failure",
        failure_message=(
            "The provided PaymentMethod has failed authentication. You can provide payment_method_data "
            "or a new PaymentMethod to attempt to fulfill this PaymentIntent again."
        ),
    )


def test_a_payer_still_authenticating_is_still_waiting(provider, fake_stripe):
    body = fake_stripe.will_answer("payment_intent_retrieve_requires_action")

    result = provider.charge_complete_action(INTENT_ID, approved=True)

    assert (result.outcome, result.redirect_url) == (
        ChargeOutcome.REQUIRES_ACTION,
        body["next_action"]["redirect_to_url"]["url"],
    )
    assert len(fake_stripe.requests) == 1  # nothing canceled


def test_a_payer_who_gave_up_has_the_intent_canceled(provider, fake_stripe):
    fake_stripe.will_answer("payment_intent_retrieve_requires_action")
    fake_stripe.will_answer("payment_intent_cancel_abandoned")

    result = provider.charge_complete_action(INTENT_ID, approved=False)

    assert result == ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=INTENT_ID,
        card=CARD_3220,
        failure_code="payment_intent_canceled",
        failure_message="The payment was canceled (abandoned).",
    )
    cancel = fake_stripe.requests[1]
    assert (cancel.method, cancel.path) == ("POST", f"/v1/payment_intents/{INTENT_ID}/cancel")
    assert cancel.form == {"cancellation_reason": "abandoned", **EXPAND}
    assert cancel.headers["idempotency-key"] == f"{INTENT_ID}-cancel"


def test_a_payer_who_finished_just_before_the_cancel_keeps_the_success(provider, fake_stripe):
    fake_stripe.will_answer("payment_intent_retrieve_requires_action")
    fake_stripe.will_answer("payment_intent_cancel_unexpected_state")

    result = provider.charge_complete_action(INTENT_ID, approved=False)

    # The intent in Stripe's refusal is not expanded: the card is not known from it.
    assert result == ChargeResult(outcome=ChargeOutcome.SUCCEEDED, provider_reference=INTENT_ID, card=None)


def test_an_intent_stripe_does_not_know_is_rejected(provider, fake_stripe):
    fake_stripe.will_answer("payment_intent_retrieve_not_found_404")

    with pytest.raises(ProviderRejected) as rejected:
        provider.charge_complete_action(INTENT_ID, approved=True)

    assert rejected.value.message == (
        "Stripe refused the request (InvalidRequestError, HTTP 404, code resource_missing)."
    )


def test_stripe_unreachable_after_3ds_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = StripeProvider(SECRET_KEY, api_base=f"http://127.0.0.1:{port}", max_network_retries=0)

    with pytest.raises(ProviderUnavailable):
        provider.charge_complete_action(INTENT_ID, approved=True)


# -- refunds --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "amount"),
    [("refund_create_full_succeeded", 12000), ("refund_create_partial_succeeded", 5000)],
)
def test_a_refund_full_or_partial_is_made_once_keyed_on_our_refund(provider, fake_stripe, fixture, amount):
    body = fake_stripe.will_answer(fixture)

    result = provider.refund_create(body["payment_intent"], amount=amount, currency="usd", reference=REFUND_ID)

    assert result == RefundResult(succeeded=True, provider_reference=body["id"])
    assert body["amount"] == amount
    [request] = fake_stripe.requests
    assert (request.method, request.path) == ("POST", "/v1/refunds")
    assert request.form == {
        "payment_intent": body["payment_intent"],
        "amount": str(amount),
        "metadata[paydesk_refund]": REFUND_ID,
    }
    assert request.headers["idempotency-key"] == REFUND_ID
    assert request.headers["authorization"] == f"Bearer {SECRET_KEY}"


def test_a_pending_refund_is_accepted(provider, fake_stripe):
    body = fake_stripe.will_answer("refund_create_pending")

    result = provider.refund_create(body["payment_intent"], amount=12000, currency="usd", reference=REFUND_ID)

    assert result == RefundResult(succeeded=True, provider_reference=body["id"])


def test_a_failed_refund_is_a_failure_with_stripes_reason(provider, fake_stripe):
    body = fake_stripe.will_answer("refund_create_failed")

    result = provider.refund_create(body["payment_intent"], amount=12000, currency="usd", reference=REFUND_ID)

    assert result == RefundResult(
        succeeded=False, provider_reference=body["id"], failure_reason="expired_or_canceled_card"
    )


def test_a_refund_stripe_refuses_is_a_failure_with_its_code(provider, fake_stripe):
    fake_stripe.will_answer("refund_create_charge_already_refunded")

    result = provider.refund_create("pi_3PbW5DCLk8sW1bx2Reaeceb6", amount=12000, currency="usd", reference=REFUND_ID)

    assert result == RefundResult(succeeded=False, failure_reason="charge_already_refunded")


def test_a_refund_in_a_state_we_do_not_know_is_refused_loudly(provider, fake_stripe):
    body = fake_stripe.will_answer("refund_create_requires_action")

    with pytest.raises(ProviderRejected) as rejected:
        provider.refund_create(body["payment_intent"], amount=12000, currency="usd", reference=REFUND_ID)

    assert rejected.value.message == f"Stripe refund {body['id']} is in an unexpected state: requires_action."


def test_a_refund_when_stripe_fails_is_unavailable(provider, fake_stripe):
    fake_stripe.will_answer("refund_create_api_error_500")

    with pytest.raises(ProviderUnavailable):
        provider.refund_create("pi_3PbW5DCLk8sW1bx2Reaeceb6", amount=12000, currency="usd", reference=REFUND_ID)
