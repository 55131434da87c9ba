"""The corners of converting Stripe's shapes that no single recorded exchange reaches."""

from __future__ import annotations

import copy

from paydesk.providers.base import ChargeOutcome, ChargeResult
from paydesk.providers.stripe.convert import (
    card_summary_from_payment_intent,
    charge_result_from_error,
    charge_result_from_payment_intent,
)

from .fake_stripe import load_fixture


def recorded(name: str) -> dict:
    return copy.deepcopy(load_fixture(name)["response"]["body"])


def test_an_intent_never_tried_is_a_failure_asking_for_a_payment_method():
    intent = recorded("payment_intent_create_succeeded")
    intent.update(status="requires_payment_method", latest_charge=None, payment_method=None, last_payment_error=None)

    result = charge_result_from_payment_intent(intent)

    assert result == ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=intent["id"],
        failure_code="payment_method_required",
        failure_message="No payment method has been tried on this payment yet.",
    )


def test_a_charge_without_card_details_has_no_card_summary():
    intent = recorded("payment_intent_create_succeeded")
    intent["latest_charge"]["payment_method_details"] = {"type": "link", "link": {"country": "US"}}

    assert card_summary_from_payment_intent(intent) is None


def test_a_canceled_intent_without_a_reason_says_so():
    intent = recorded("payment_intent_cancel_abandoned")
    intent["cancellation_reason"] = None

    assert charge_result_from_payment_intent(intent).failure_message == "The payment was canceled (no reason given)."


def test_texts_longer_than_our_columns_are_cut_not_refused():
    error = recorded("payment_intent_create_declined_generic_decline")
    error["error"]["message"] = "x" * 500
    error["error"]["decline_code"] = "y" * 60

    result = charge_result_from_error(error)

    assert (len(result.failure_message), len(result.decline_code)) == (300, 40)


def test_a_decline_without_a_code_is_a_plain_card_decline():
    error = recorded("payment_intent_create_declined_generic_decline")
    del error["error"]["code"]

    assert charge_result_from_error(error).failure_code == "card_declined"
