"""PayPalProvider against the fake PayPal: what it sends, and what each answer becomes."""

from __future__ import annotations

import pytest

from paydesk.core.errors import PaydeskError
from paydesk.providers.base import ChargeOutcome, ChargeRequest, ChargeResult, RefundResult
from paydesk.providers.paypal.adapter import PayPalProvider
from paydesk.providers.paypal.client import PayPalUnavailable
from paydesk.providers.paypal.config import PayPalNotConfigured

from ...conftest import card
from .conftest import CLIENT_ID
from .fake_paypal import fixture

TOKEN = fixture("oauth2_token")["body"]["access_token"]
ORDER_ID = "5O190127TN364715T"
CAPTURE_ID = "3C679366HH908993F"
CAPTURE_PATH = f"/v2/checkout/orders/{ORDER_ID}/capture"
REFUND_PATH = f"/v2/payments/captures/{CAPTURE_ID}/refund"
PAYMENT_ID = "pay_4fVq8sXkzPm2LbN7wQeR1tYu"


def create_order(provider: PayPalProvider, **overrides) -> ChargeResult:
    arguments = {
        "amount": 12050,
        "currency": "usd",
        "reference": PAYMENT_ID,
        "return_url": "https://desk.example/pay/return",
        "cancel_url": "https://desk.example/pay/cancel",
    }
    return provider.order_create(**(arguments | overrides))


def test_order_create_sends_exactly_paypals_order_request(fake_paypal):
    fake_paypal.replay("POST", "/v2/checkout/orders", "order_create")

    create_order(PayPalProvider(), description="Invoice RIV-0001")

    (request,) = fake_paypal.api_requests()
    assert (request.method, request.path) == ("POST", "/v2/checkout/orders")
    assert request.header("Authorization") == f"Bearer {TOKEN}"
    assert request.header("PayPal-Request-Id") == PAYMENT_ID
    assert request.header("Content-Type") == "application/json"
    assert request.header("Prefer") is None
    assert request.json() == {
        "intent": "CAPTURE",
        "purchase_units": [
            {
                "reference_id": PAYMENT_ID,
                "custom_id": PAYMENT_ID,
                "amount": {"currency_code": "USD", "value": "120.50"},
                "description": "Invoice RIV-0001",
            }
        ],
        "payment_source": {
            "paypal": {
                "experience_context": {
                    "return_url": "https://desk.example/pay/return",
                    "cancel_url": "https://desk.example/pay/cancel",
                    "user_action": "PAY_NOW",
                    "shipping_preference": "NO_SHIPPING",
                }
            }
        },
    }


def test_order_create_answers_requires_action_with_the_payer_action_link(fake_paypal):
    fake_paypal.replay("POST", "/v2/checkout/orders", "order_create")

    result = create_order(PayPalProvider())

    assert result == ChargeResult(
        outcome=ChargeOutcome.REQUIRES_ACTION,
        provider_reference=ORDER_ID,
        redirect_url=f"https://www.sandbox.paypal.com/checkoutnow?token={ORDER_ID}",
    )


def test_an_approve_link_is_used_when_paypal_gives_no_payer_action_link(fake_paypal):
    fake_paypal.replay("POST", "/v2/checkout/orders", "order_create_application_context")

    result = create_order(PayPalProvider())

    assert (result.provider_reference, result.redirect_url) == (
        "8MC585209K746392H",
        "https://www.sandbox.paypal.com/checkoutnow?token=8MC585209K746392H",
    )


def test_a_yen_amount_is_sent_without_decimals(fake_paypal):
    fake_paypal.replay("POST", "/v2/checkout/orders", "order_create")

    create_order(PayPalProvider(), amount=500, currency="jpy")

    (request,) = fake_paypal.api_requests()
    assert request.json()["purchase_units"][0]["amount"] == {"currency_code": "JPY", "value": "500"}


def test_a_currency_paypal_does_not_take_is_refused_without_a_call(fake_paypal):
    with pytest.raises(PaydeskError) as refused:
        create_order(PayPalProvider(), amount=1234, currency="kwd")

    assert refused.value.code == "currency_not_supported_by_provider"
    assert fake_paypal.requests == []


def test_an_order_paypal_refuses_is_a_failed_payment(fake_paypal):
    fake_paypal.replay("POST", "/v2/checkout/orders", "order_create_unprocessable")

    result = create_order(PayPalProvider(), currency="eur")

    assert (result.outcome, result.decline_code, result.provider_reference) == (
        ChargeOutcome.FAILED,
        "currency_not_supported_for_country",
        "",
    )


def test_an_approved_order_is_captured_and_succeeds_with_the_capture_in_its_reference(fake_paypal):
    fake_paypal.replay("POST", CAPTURE_PATH, "order_capture_completed")

    result = PayPalProvider().charge_complete_action(ORDER_ID, approved=True)

    assert result == ChargeResult(
        outcome=ChargeOutcome.SUCCEEDED, provider_reference=f"{ORDER_ID}:{CAPTURE_ID}", fee_amount=468
    )
    (request,) = fake_paypal.api_requests()
    assert (request.method, request.path, request.body) == ("POST", CAPTURE_PATH, b"{}")
    assert request.header("PayPal-Request-Id") == f"{ORDER_ID}-capture"
    assert request.header("Prefer") == "return=representation"
    assert request.header("Authorization") == f"Bearer {TOKEN}"


def test_a_declined_instrument_fails_the_payment_with_a_plain_message(fake_paypal):
    fake_paypal.replay("POST", CAPTURE_PATH, "order_capture_instrument_declined")

    result = PayPalProvider().charge_complete_action(ORDER_ID, approved=True)

    assert result == ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=ORDER_ID,
        failure_code="payment_method_provider_decline",
        decline_code="instrument_declined",
        failure_message="PayPal declined the payment method you chose. You have not been charged; "
        "choose another way to pay.",
    )


def test_a_return_without_approval_fails_instead_of_waiting_forever(fake_paypal):
    fake_paypal.replay("POST", CAPTURE_PATH, "order_capture_order_not_approved")

    result = PayPalProvider().charge_complete_action(ORDER_ID, approved=True)

    assert (result.outcome, result.decline_code, result.failure_message) == (
        ChargeOutcome.FAILED,
        "order_not_approved",
        "The payment was not approved on PayPal. You have not been charged.",
    )


def test_a_cancel_fails_the_payment_without_calling_paypal(fake_paypal):
    result = PayPalProvider().charge_complete_action(ORDER_ID, approved=False)

    assert result == ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=ORDER_ID,
        failure_code="payment_method_customer_decline",
        decline_code="authentication_failed",
        failure_message="You left PayPal without approving the payment. You have not been charged.",
    )
    assert fake_paypal.requests == []


def test_an_order_captured_already_is_read_back_not_captured_again(fake_paypal):
    fake_paypal.replay("POST", CAPTURE_PATH, "order_capture_already_captured")
    fake_paypal.replay("GET", f"/v2/checkout/orders/{ORDER_ID}", "order_get_completed")

    result = PayPalProvider().charge_complete_action(ORDER_ID, approved=True)

    assert result == ChargeResult(
        outcome=ChargeOutcome.SUCCEEDED, provider_reference=f"{ORDER_ID}:{CAPTURE_ID}", fee_amount=468
    )
    assert [call for call in fake_paypal.calls() if call[0] != "POST" or call[1] != "/v1/oauth2/token"] == [
        ("POST", CAPTURE_PATH),
        ("GET", f"/v2/checkout/orders/{ORDER_ID}"),
    ]


def test_a_capture_held_for_review_is_processing(fake_paypal):
    fake_paypal.replay("POST", CAPTURE_PATH, "order_capture_pending")

    result = PayPalProvider().charge_complete_action(ORDER_ID, approved=True)

    assert result == ChargeResult(outcome=ChargeOutcome.PROCESSING, provider_reference=f"{ORDER_ID}:{CAPTURE_ID}")


def test_a_server_error_while_capturing_raises_unavailable(fake_paypal):
    fake_paypal.replay("POST", CAPTURE_PATH, "internal_server_error")

    with pytest.raises(PayPalUnavailable):
        PayPalProvider().charge_complete_action(ORDER_ID, approved=True)


def test_a_full_refund_sends_the_whole_amount_under_our_refund_id(fake_paypal):
    fake_paypal.replay("POST", REFUND_PATH, "capture_refund_completed")

    result = PayPalProvider().refund_create(
        f"{ORDER_ID}:{CAPTURE_ID}", amount=12000, currency="usd", reference="re_8dKq2mXw9LbT4nPzVy6sRj3H"
    )

    assert result == RefundResult(succeeded=True, provider_reference="1JU08902781691411")
    (request,) = fake_paypal.api_requests()
    assert (request.method, request.path) == ("POST", REFUND_PATH)
    assert request.json() == {"amount": {"currency_code": "USD", "value": "120.00"}}
    assert request.header("PayPal-Request-Id") == "re_8dKq2mXw9LbT4nPzVy6sRj3H"
    assert request.header("Content-Type") == "application/json"


def test_a_partial_refund_sends_only_its_amount(fake_paypal):
    fake_paypal.replay("POST", REFUND_PATH, "capture_refund_partial_completed")

    result = PayPalProvider().refund_create(
        f"{ORDER_ID}:{CAPTURE_ID}", amount=2550, currency="usd", reference="re_Zp7Lm2Qx8VbN4kTw1Ry6Hs3D"
    )

    assert result == RefundResult(succeeded=True, provider_reference="7LP32513E3346412X")
    (request,) = fake_paypal.api_requests()
    assert request.json() == {"amount": {"currency_code": "USD", "value": "25.50"}}


def test_a_refund_beyond_what_is_left_fails_as_amount_too_large(fake_paypal):
    fake_paypal.replay("POST", REFUND_PATH, "capture_refund_amount_exceeded")

    result = PayPalProvider().refund_create(f"{ORDER_ID}:{CAPTURE_ID}", amount=99999, currency="usd", reference="re_x")

    assert result == RefundResult(succeeded=False, failure_reason="amount_too_large")


def test_a_payment_never_captured_cannot_be_refunded_and_paypal_is_not_asked(fake_paypal):
    result = PayPalProvider().refund_create(ORDER_ID, amount=100, currency="usd", reference="re_x")

    assert result == RefundResult(succeeded=False, failure_reason="charge_not_captured")
    assert fake_paypal.requests == []


def test_a_card_charge_is_refused_plainly(fake_paypal):
    request = ChargeRequest(amount=100, currency="usd", card=card(), reference=PAYMENT_ID)
    with pytest.raises(PaydeskError) as refused:
        PayPalProvider().charge_create(request)

    assert refused.value.code == "payment_method_not_supported"
    assert fake_paypal.requests == []


def test_saving_a_card_is_refused_plainly(fake_paypal):
    with pytest.raises(PaydeskError) as refused:
        PayPalProvider().card_tokenize(card())

    assert refused.value.code == "payment_method_not_supported"
    assert fake_paypal.requests == []


def test_not_configured_is_a_plain_refusal(no_paypal):
    with pytest.raises(PayPalNotConfigured) as refused:
        create_order(PayPalProvider())

    assert (refused.value.code, refused.value.http_status) == ("provider_not_configured", 400)
    assert "PAYDESK_PAYPAL_CLIENT_ID" in refused.value.message
    assert refused.value.as_dict()["error"]["type"] == "invalid_request_error"


def test_a_secret_alone_is_still_not_configured(no_paypal, monkeypatch):
    monkeypatch.setenv("PAYDESK_PAYPAL_CLIENT_SECRET", "only-the-secret")

    with pytest.raises(PayPalNotConfigured):
        PayPalProvider().charge_complete_action(ORDER_ID, approved=True)


@pytest.mark.parametrize("api_base", ["http://api-m.paypal.com", "https://api-m.paypal.com/v2", "api-m.paypal.com"])
def test_an_unsafe_api_base_is_refused(monkeypatch, api_base):
    monkeypatch.setenv("PAYDESK_PAYPAL_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("PAYDESK_PAYPAL_CLIENT_SECRET", "secret")
    monkeypatch.setenv("PAYDESK_PAYPAL_API_BASE", api_base)

    with pytest.raises(PayPalNotConfigured) as refused:
        create_order(PayPalProvider())

    assert "PAYDESK_PAYPAL_API_BASE" in refused.value.message


def test_the_api_base_defaults_to_paypals_sandbox(no_paypal, monkeypatch):
    from paydesk.providers.paypal.config import paypal_config

    monkeypatch.setenv("PAYDESK_PAYPAL_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("PAYDESK_PAYPAL_CLIENT_SECRET", "s3cr3t-value")

    config = paypal_config()

    assert (config.api_base, config.is_sandbox, config.webhook_id) == ("https://api-m.sandbox.paypal.com", True, "")
    assert "s3cr3t-value" not in repr(config)
