"""The HTTP client against the fake PayPal: tokens, headers, and every failure as our exception."""

from __future__ import annotations

import base64
import socket

import pytest

from paydesk.core.errors import PaydeskError
from paydesk.providers.paypal.client import (
    PayPalAuthenticationFailed,
    PayPalClient,
    PayPalDeclined,
    PayPalRequestRefused,
    PayPalUnavailable,
)
from paydesk.providers.paypal.config import PayPalConfig

from .conftest import CLIENT_ID, CLIENT_SECRET
from .fake_paypal import fixture

FIRST_TOKEN = fixture("oauth2_token")["body"]["access_token"]
RENEWED_TOKEN = fixture("oauth2_token_renewed")["body"]["access_token"]
ORDER_PATH = "/v2/checkout/orders/5O190127TN364715T"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_client(fake_paypal, *, secret: str = CLIENT_SECRET, clock=None, timeout_seconds: float = 5.0) -> PayPalClient:
    config = PayPalConfig(client_id=CLIENT_ID, client_secret=secret, api_base=fake_paypal.base_url)
    return PayPalClient(config, timeout_seconds=timeout_seconds, monotonic=clock or FakeClock())


def test_the_token_request_is_client_credentials_with_basic_auth(fake_paypal):
    client = make_client(fake_paypal)

    assert client.access_token() == FIRST_TOKEN

    (request,) = fake_paypal.requests
    assert (request.method, request.path, request.body) == ("POST", "/v1/oauth2/token", b"grant_type=client_credentials")
    expected_basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert request.header("Authorization") == f"Basic {expected_basic}"
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"


def test_the_token_is_fetched_once_and_reused(fake_paypal):
    fake_paypal.replay("GET", ORDER_PATH, "order_get_completed")
    client = make_client(fake_paypal)

    client.order_get("5O190127TN364715T")
    client.order_get("5O190127TN364715T")
    client.order_get("5O190127TN364715T")

    assert fake_paypal.calls() == [("POST", "/v1/oauth2/token")] + [("GET", ORDER_PATH)] * 3
    assert [request.header("Authorization") for request in fake_paypal.api_requests()] == [f"Bearer {FIRST_TOKEN}"] * 3


def test_the_token_is_renewed_a_minute_before_it_expires(fake_paypal):
    fake_paypal.replay("POST", "/v1/oauth2/token", "oauth2_token", "oauth2_token_renewed")
    clock = FakeClock()
    client = make_client(fake_paypal, clock=clock)
    expires_in = fixture("oauth2_token")["body"]["expires_in"]

    assert client.access_token() == FIRST_TOKEN
    clock.now += expires_in - 61
    assert client.access_token() == FIRST_TOKEN
    clock.now += 1
    assert client.access_token() == RENEWED_TOKEN
    assert fake_paypal.calls() == [("POST", "/v1/oauth2/token")] * 2


def test_a_token_paypal_revoked_early_is_replaced_once_and_the_call_repeated(fake_paypal):
    fake_paypal.replay("POST", "/v1/oauth2/token", "oauth2_token", "oauth2_token_renewed")
    fake_paypal.replay("GET", ORDER_PATH, "order_get_completed")
    client = make_client(fake_paypal)
    client.access_token()
    fake_paypal.revoke_tokens()

    order = client.order_get("5O190127TN364715T")

    assert order["status"] == "COMPLETED"
    assert [(request.path, request.header("Authorization")) for request in fake_paypal.requests[1:]] == [
        (ORDER_PATH, f"Bearer {FIRST_TOKEN}"),
        ("/v1/oauth2/token", fake_paypal.expected_basic),
        (ORDER_PATH, f"Bearer {RENEWED_TOKEN}"),
    ]


def test_wrong_credentials_are_an_authentication_failure(fake_paypal):
    client = make_client(fake_paypal, secret="not-the-secret")

    with pytest.raises(PayPalAuthenticationFailed) as failed:
        client.order_get("5O190127TN364715T")

    assert failed.value.code == "provider_authentication_failed"
    assert "PAYDESK_PAYPAL_CLIENT_SECRET" in failed.value.message
    assert "not-the-secret" not in failed.value.message
    assert fake_paypal.calls() == [("POST", "/v1/oauth2/token")]


def test_a_server_error_is_unavailable_with_paypals_debug_id(fake_paypal):
    fake_paypal.replay("GET", ORDER_PATH, "internal_server_error")
    client = make_client(fake_paypal)

    with pytest.raises(PayPalUnavailable) as unavailable:
        client.order_get("5O190127TN364715T")

    assert (unavailable.value.code, unavailable.value.status, unavailable.value.http_status) == ("provider_unavailable", 500, 503)
    assert unavailable.value.debug_id == "90957fca61718"


def test_a_refused_connection_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    config = PayPalConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, api_base=f"http://127.0.0.1:{closed_port}")

    with pytest.raises(PayPalUnavailable) as unavailable:
        PayPalClient(config).access_token()

    assert unavailable.value.status is None


def test_an_answer_that_never_comes_is_unavailable(fake_paypal):
    fake_paypal.delay_seconds = 2.0
    client = make_client(fake_paypal, timeout_seconds=0.2)

    with pytest.raises(PayPalUnavailable):
        client.access_token()


def test_unprocessable_is_declined_with_paypals_issue(fake_paypal):
    fake_paypal.replay("POST", f"{ORDER_PATH}/capture", "order_capture_instrument_declined")
    client = make_client(fake_paypal)

    with pytest.raises(PayPalDeclined) as declined:
        client.order_capture("5O190127TN364715T", request_id="5O190127TN364715T-capture")

    assert declined.value.issue == "INSTRUMENT_DECLINED"
    assert declined.value.debug_id == "a3e4c5f6d7b81"


def test_an_unknown_id_is_a_refused_request(fake_paypal):
    client = make_client(fake_paypal)

    with pytest.raises(PayPalRequestRefused) as refused:
        client.order_get("0NOSUCHORDER00000")

    assert (refused.value.status, refused.value.name) == (404, "RESOURCE_NOT_FOUND")


@pytest.mark.parametrize("order_id", ["../v1/oauth2/token", "5O19?x=1", "abc", ""])
def test_an_id_that_could_bend_the_url_is_refused_before_any_call(fake_paypal, order_id):
    client = make_client(fake_paypal)

    with pytest.raises(PaydeskError) as refused:
        client.order_get(order_id)

    assert refused.value.code == "provider_reference_invalid"
    assert fake_paypal.requests == []
