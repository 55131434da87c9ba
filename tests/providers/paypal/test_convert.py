"""PayPal's money strings and shapes ↔ Paydesk's integers and results, exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paydesk.core.errors import PaydeskError
from paydesk.core.money import MAX_AMOUNT_MINOR
from paydesk.providers.base import ChargeOutcome, ChargeResult, RefundResult
from paydesk.providers.paypal import convert
from paydesk.providers.paypal.client import PayPalUnavailable

from .fake_paypal import fixture


@pytest.mark.parametrize(
    ("amount_minor", "currency", "value"),
    [
        (12050, "usd", "120.50"),
        (500, "jpy", "500"),
        (1234, "kwd", "1.234"),
        (1, "usd", "0.01"),
        (5, "kwd", "0.005"),
        (100, "eur", "1.00"),
        (MAX_AMOUNT_MINOR, "usd", "10000000000.00"),
    ],
)
def test_minor_units_become_paypal_values_and_back_exactly(amount_minor, currency, value):
    assert convert.minor_to_value(amount_minor, currency) == value
    assert convert.value_to_minor(value, currency) == amount_minor


@pytest.mark.parametrize(
    ("value", "currency", "amount_minor"),
    [("120.5", "usd", 12050), ("120", "usd", 12000), ("120.500", "usd", 12050), (".5", "usd", 50), ("1.2", "kwd", 1200)],
)
def test_values_paypal_may_write_shorter_or_longer_are_read_exactly(value, currency, amount_minor):
    assert convert.value_to_minor(value, currency) == amount_minor


@pytest.mark.parametrize(
    ("value", "currency"),
    [("120.505", "usd"), ("1.5", "jpy"), ("1.2345", "kwd"), ("1e3", "usd"), ("12,50", "usd"), (" 1.00", "usd"), ("", "usd"), (12.5, "usd")],
)
def test_values_that_are_not_whole_minor_units_are_refused_not_rounded(value, currency):
    with pytest.raises(ValueError):
        convert.value_to_minor(value, currency)


def test_a_float_amount_is_refused():
    with pytest.raises(TypeError):
        convert.minor_to_value(120.5, "usd")


@given(
    amount_minor=st.integers(min_value=0, max_value=MAX_AMOUNT_MINOR),
    currency=st.sampled_from(["usd", "eur", "jpy", "kwd", "bhd", "gbp", "krw"]),
)
def test_every_amount_round_trips_exactly(amount_minor, currency):
    value = convert.minor_to_value(amount_minor, currency)
    assert convert.value_to_minor(value, currency) == amount_minor
    whole, _, fraction = value.partition(".")
    assert int(whole) == amount_minor // 10 ** len(fraction)


@given(amount_major=st.integers(min_value=1, max_value=10**9), currency=st.sampled_from(["huf", "twd", "jpy"]))
def test_whole_unit_currencies_are_sent_without_decimals_and_read_back_exactly(amount_major, currency):
    units = 100 if currency in ("huf", "twd") else 1
    sent = convert.paypal_amount(amount_major * units, currency)
    assert sent == {"currency_code": currency.upper(), "value": str(amount_major)}
    assert convert.amount_from_paypal(sent) == (amount_major * units, currency)


def test_paypal_amount_is_upper_case_code_and_string_value():
    assert convert.paypal_amount(12050, "usd") == {"currency_code": "USD", "value": "120.50"}


@pytest.mark.parametrize(
    ("amount_minor", "currency", "code"),
    [
        (1234, "kwd", "currency_not_supported_by_provider"),
        (12345, "huf", "amount_invalid_for_provider"),
        (0, "usd", "amount_invalid"),
        (-100, "usd", "amount_invalid"),
    ],
)
def test_amounts_paypal_cannot_take_are_refused_before_calling_it(amount_minor, currency, code):
    with pytest.raises(PaydeskError) as refused:
        convert.paypal_amount(amount_minor, currency)
    assert refused.value.code == code


def test_references_join_order_and_capture_and_split_back():
    assert convert.capture_reference("5O190127TN364715T", "3C679366HH908993F") == "5O190127TN364715T:3C679366HH908993F"
    assert convert.split_reference("5O190127TN364715T:3C679366HH908993F") == ("5O190127TN364715T", "3C679366HH908993F")
    assert convert.split_reference("5O190127TN364715T") == ("5O190127TN364715T", "")


def test_a_completed_capture_is_a_success_with_paypals_fee():
    result = convert.charge_result_from_order(fixture("order_capture_completed")["body"])
    assert result == ChargeResult(
        outcome=ChargeOutcome.SUCCEEDED, provider_reference="5O190127TN364715T:3C679366HH908993F", fee_amount=468
    )


def test_a_pending_capture_is_processing_without_a_fee():
    result = convert.charge_result_from_order(fixture("order_capture_pending")["body"])
    assert result == ChargeResult(outcome=ChargeOutcome.PROCESSING, provider_reference="5O190127TN364715T:3C679366HH908993F")


def test_a_declined_capture_from_a_webhook_is_a_failure_with_a_plain_message():
    capture = fixture("webhook_payment_capture_denied")["resource"]
    result = convert.charge_result_from_capture(capture, order_id="5O190127TN364715T")
    assert (result.outcome, result.failure_code, result.decline_code, result.failure_message) == (
        ChargeOutcome.FAILED,
        "payment_method_provider_decline",
        "capture_declined",
        "PayPal declined the payment. You have not been charged.",
    )


def test_a_fee_in_another_currency_is_not_taken_as_ours():
    capture = fixture("order_capture_completed")["body"]["purchase_units"][0]["payments"]["captures"][0]
    other = {**capture, "seller_receivable_breakdown": {"paypal_fee": {"currency_code": "EUR", "value": "4.30"}}}
    assert convert.fee_from_capture(other, "usd") == 0
    assert convert.fee_from_capture(capture, "usd") == 468


def test_an_order_without_a_capture_is_not_guessed_at():
    order = fixture("order_create")["body"]
    with pytest.raises(PayPalUnavailable):
        convert.charge_result_from_order(order)


def test_an_unknown_capture_status_is_not_guessed_at():
    with pytest.raises(PayPalUnavailable):
        convert.charge_result_from_capture({"id": "3C679366HH908993F", "status": "VOIDED"}, order_id="5O190127TN364715T")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("capture_refund_completed", RefundResult(succeeded=True, provider_reference="1JU08902781691411")),
        ("capture_refund_pending", RefundResult(succeeded=True, provider_reference="0DB85227TS9713722")),
    ],
)
def test_refund_answers_become_refund_results(name, expected):
    assert convert.refund_result_from_refund(fixture(name)["body"]) == expected


def test_a_failed_refund_is_not_a_success():
    assert convert.refund_result_from_refund({"id": "1JU08902781691411", "status": "CANCELLED"}) == RefundResult(
        succeeded=False, provider_reference="1JU08902781691411", failure_reason="refund_cancelled"
    )
