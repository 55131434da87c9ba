"""Charging through Stripe: each recorded PaymentIntent answer becomes the right result, and
the SDK sends exactly the request we mean."""

from __future__ import annotations

import socket

import pytest

from paydesk.providers.base import CardDetails, CardSummary, ChargeOutcome, ChargeRequest, ChargeResult
from paydesk.providers.stripe.adapter import StripeProvider
from paydesk.providers.stripe.errors import ProviderRejected, ProviderUnavailable, RawCardNotAccepted

from .conftest import SECRET_KEY
from .fake_stripe import load_fixture

PAYMENT_ID = "pay_Qm4Xr7TzK2vN9cWb1LpY6eHs"
RETURN_URL = "https://paydesk.example/pay/return"


def charge_request(**changes) -> ChargeRequest:
    fields = dict(
        amount=12000,
        currency="usd",
        card=None,
        reference=PAYMENT_ID,
        return_url=RETURN_URL,
        description="Invoice INV-0001",
    )
    fields.update(changes)
    return ChargeRequest(**fields)


def intent_id(fixture: str) -> str:
    body = load_fixture(fixture)["response"]["body"]
    return body["id"] if "id" in body else body["error"]["payment_intent"]["id"]


def test_a_succeeded_intent_is_a_success_with_the_charged_card(provider, fake_stripe):
    fake_stripe.will_answer("payment_intent_create_succeeded")

    result = provider.charge_create_with_payment_method(charge_request(), "pm_card_visa")

    assert result == ChargeResult(
        outcome=ChargeOutcome.SUCCEEDED,
        provider_reference=intent_id("payment_intent_create_succeeded"),
        card=CardSummary(brand="visa", last4="4242", exp_month=8, exp_year=2027),
        fee_amount=0,
    )


def test_the_sdk_sends_one_confirmed_intent_keyed_on_our_payment_id(provider, fake_stripe):
    fake_stripe.will_answer("payment_intent_create_succeeded")

    provider.charge_create_with_payment_method(charge_request(), "pm_card_visa")

    [request] = fake_stripe.requests
    assert (request.method, request.path, request.query) == ("POST", "/v1/payment_intents", {})
    assert request.form == {
        "amount": "12000",
        "currency": "usd",
        "payment_method": "pm_card_visa",
        "payment_method_types[0]": "card",
        "confirm": "true",
        "metadata[paydesk_payment]": PAYMENT_ID,
        "expand[0]": "latest_charge",
        "expand[1]": "payment_method",
        "description": "Invoice INV-0001",
        "return_url": RETURN_URL,
    }
    assert request.headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert request.headers["idempotency-key"] == PAYMENT_ID
    assert request.headers["stripe-version"] == "2024-06-20"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


def test_no_return_url_and_no_description_are_left_out_not_sent_empty(provider, fake_stripe):
    fake_stripe.will_answer("payment_intent_create_requires_action_sdk")

    result = provider.charge_create_with_payment_method(
        charge_request(return_url="", description=""), "pm_card_threeDSecure2Required"
    )

    [request] = fake_stripe.requests
    assert "return_url" not in request.form and "description" not in request.form
    # Without a return_url Stripe asks Stripe.js to authenticate in the page: no URL to send the payer to.
    assert (result.outcome, result.redirect_url) == (ChargeOutcome.REQUIRES_ACTION, "")


def test_three_d_secure_sends_the_payer_to_stripes_page(provider, fake_stripe):
    body = fake_stripe.will_answer("payment_intent_create_requires_action")

    result = provider.charge_create_with_payment_method(charge_request(), "pm_card_threeDSecure2Required")

    assert result == ChargeResult(
        outcome=ChargeOutcome.REQUIRES_ACTION,
        provider_reference=body["id"],
        card=CardSummary(brand="visa", last4="3220", exp_month=8, exp_year=2027),
        redirect_url=body["next_action"]["redirect_to_url"]["url"],
    )
    assert result.redirect_url.startswith("https://hooks.stripe.com/3d_secure_2/hosted?")


def test_a_processing_intent_is_processing(provider, fake_stripe):
    body = fake_stripe.will_answer("payment_intent_create_processing")

    result = provider.charge_create_with_payment_method(charge_request(), "pm_card_visa")

    assert result == ChargeResult(
        outcome=ChargeOutcome.PROCESSING,
        provider_reference=body["id"],
        card=CardSummary(brand="visa", last4="4242", exp_month=8, exp_year=2027),
    )


@pytest.mark.parametrize(
    ("decline", "payment_method", "last4", "failure_code", "message", "param"),
    [
        ("generic_decline", "pm_card_chargeDeclined", "0002", "card_declined", "Your card was declined.", ""),
        (
            "insufficient_funds",
            "pm_card_chargeDeclinedInsufficientFunds",
            "9995",
            "card_declined",
            "Your card has insufficient funds.",
            "",
        ),
        ("lost_card", "pm_card_chargeDeclinedLostCard", "9987", "card_declined", "Your card was declined.", ""),
        ("stolen_card", "pm_card_chargeDeclinedStolenCard", "9979", "card_declined", "Your card was declined.", ""),
        ("fraudulent", "pm_card_chargeDeclinedFraudulent", "0019", "card_declined", "Your card was declined.", ""),
        ("expired_card", "pm_card_chargeDeclinedExpiredCard", "0069", "expired_card", "Your card has expired.", "exp_month"),
        (
            "incorrect_cvc",
            "pm_card_chargeDeclinedIncorrectCvc",
            "0127",
            "incorrect_cvc",
            "Your card's security code is incorrect.",
            "cvc",
        ),
        (
            "processing_error",
            "pm_card_chargeDeclinedProcessingError",
            "0119",
            "processing_error",
            "An error occurred while processing your card. Try again in a little bit.",
            "",
        ),
    ],
)
def test_each_decline_is_a_failure_with_stripes_codes(
    provider, fake_stripe, decline, payment_method, last4, failure_code, message, param
):
    fixture = f"payment_intent_create_declined_{decline}"
    fake_stripe.will_answer(fixture)

    result = provider.charge_create_with_payment_method(charge_request(), payment_method)

    assert result == ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=intent_id(fixture),
        card=CardSummary(brand="visa", last4=last4, exp_month=8, exp_year=2027),
        failure_code=failure_code,
        decline_code=decline,
        failure_message=message,
        failure_param=param,
    )
    assert fake_stripe.requests[0].form["payment_method"] == payment_method


def test_an_unknown_payment_method_is_a_failure_about_that_field(provider, fake_stripe):
    fake_stripe.will_answer("payment_intent_create_no_such_payment_method")

    result = provider.charge_create_with_payment_method(charge_request(), "pm_1PbWQkeLk8sW1bx2Rgone0")

    assert result == ChargeResult(
        outcome=ChargeOutcome.FAILED,
        failure_code="resource_missing",
        failure_message="No such PaymentMethod: 'pm_1PbWQkeLk8sW1bx2Rgone0'",
        failure_param="payment_method",
    )


@pytest.mark.parametrize("not_a_payment_method", ["", "4242424242424242", "tok_visa"])
def test_something_other_than_a_payment_method_id_is_never_sent(provider, fake_stripe, not_a_payment_method):
    result = provider.charge_create_with_payment_method(charge_request(), not_a_payment_method)

    assert (result.outcome, result.failure_code, result.failure_param) == (
        ChargeOutcome.FAILED,
        "payment_method_invalid",
        "payment_method",
    )
    assert fake_stripe.requests == []


def test_a_typed_card_number_is_refused_before_anything_is_sent(provider, fake_stripe):
    card = CardDetails("4242424242424242", 12, 2030, "123")

    with pytest.raises(RawCardNotAccepted) as refused:
        provider.charge_create(charge_request(card=card))
    with pytest.raises(RawCardNotAccepted):
        provider.card_tokenize(card)

    assert (refused.value.code, refused.value.http_status, refused.value.param) == (
        "raw_card_data_not_accepted",
        400,
        "card",
    )
    assert fake_stripe.requests == []


@pytest.mark.parametrize(
    "carried",
    [{"saved_token": "pm_card_visa"}, {"wallet": "apple_pay", "wallet_token": "pm_card_visa"}],
)
def test_charge_create_charges_the_payment_method_id_the_browser_made(provider, fake_stripe, carried):
    fake_stripe.will_answer("payment_intent_create_succeeded")

    result = provider.charge_create(charge_request(**carried))

    assert result.outcome == ChargeOutcome.SUCCEEDED
    assert fake_stripe.requests[0].form["payment_method"] == "pm_card_visa"


def test_an_intent_in_a_state_we_never_ask_for_is_refused_loudly(provider, fake_stripe):
    body = fake_stripe.will_answer("payment_intent_create_requires_capture")

    with pytest.raises(ProviderRejected) as refused:
        provider.charge_create_with_payment_method(charge_request(), "pm_card_visa")

    assert refused.value.message == f"Stripe PaymentIntent {body['id']} is in an unexpected state: requires_capture."


@pytest.mark.parametrize(
    ("fixture", "error_type", "status"),
    [
        ("payment_intent_create_api_error_500", "APIError", 500),
        ("payment_intent_create_rate_limited_429", "RateLimitError", 429),
    ],
)
def test_stripe_failing_or_throttling_is_unavailable(provider, fake_stripe, fixture, error_type, status):
    fake_stripe.will_answer(fixture)

    with pytest.raises(ProviderUnavailable) as unavailable:
        provider.charge_create_with_payment_method(charge_request(), "pm_card_visa")

    assert (unavailable.value.code, unavailable.value.http_status) == ("provider_unavailable", 503)
    assert unavailable.value.message == (
        f"Stripe could not be reached or failed ({error_type}, HTTP {status}); "
        "retrying with the same reference is safe."
    )


def test_stripe_unreachable_is_unavailable():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = StripeProvider(SECRET_KEY, api_base=f"http://127.0.0.1:{port}", max_network_retries=0)

    with pytest.raises(ProviderUnavailable) as unavailable:
        provider.charge_create_with_payment_method(charge_request(), "pm_card_visa")

    assert "APIConnectionError" in unavailable.value.message


def test_a_5xx_is_retried_with_the_same_idempotency_key(fake_stripe):
    provider = StripeProvider(SECRET_KEY, api_base=fake_stripe.url, max_network_retries=1)
    fake_stripe.will_answer("payment_intent_create_api_error_500")
    fake_stripe.will_answer("payment_intent_create_succeeded")

    result = provider.charge_create_with_payment_method(charge_request(), "pm_card_visa")

    assert result.outcome == ChargeOutcome.SUCCEEDED
    assert [request.headers["idempotency-key"] for request in fake_stripe.requests] == [PAYMENT_ID, PAYMENT_ID]
    assert fake_stripe.requests[0].form == fake_stripe.requests[1].form


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "payment_intent_create_authentication_error_401",
            "Stripe refused the request (AuthenticationError, HTTP 401, code none).",
        ),
        (
            "payment_intent_create_idempotency_error_400",
            "Stripe refused the request (IdempotencyError, HTTP 400, code none).",
        ),
    ],
)
def test_a_refused_key_or_reused_idempotency_key_is_rejected_without_quoting_stripe(
    provider, fake_stripe, fixture, expected
):
    fake_stripe.will_answer(fixture)

    with pytest.raises(ProviderRejected) as rejected:
        provider.charge_create_with_payment_method(charge_request(), "pm_card_visa")

    assert (rejected.value.code, rejected.value.http_status, rejected.value.message) == (
        "provider_rejected",
        502,
        expected,
    )


def test_the_adapter_never_shows_its_key():
    assert SECRET_KEY not in repr(StripeProvider(SECRET_KEY))
