"""Stripe's shapes (API version ``STRIPE_API_VERSION``) turned into our normalized results.

Every function takes plain JSON dictionaries (a response body, an error body, an event's
``data.object``) and nothing else, so it is the same code for an API answer and a webhook.
Nothing outside this package sees a Stripe object (rule 7).
"""

from __future__ import annotations

from typing import Any

from ..base import CardSummary, ChargeOutcome, ChargeResult, RefundResult
from .errors import ProviderRejected

# The version every request pins and every fixture is recorded in. Webhook endpoints must be
# created with the same version (see docs/stripe.md) so events carry the same shapes.
STRIPE_API_VERSION = "2024-06-20"

# Our columns' widths (payments.Payment): a longer text from Stripe is cut, never refused.
_CODE_LENGTH = 40
_MESSAGE_LENGTH = 300

Json = dict[str, Any]


def _text(value: Any, limit: int) -> str:
    return str(value or "")[:limit]


def _card_from(card: Json | None) -> CardSummary | None:
    if not card:
        return None
    return CardSummary(
        brand=str(card["brand"]),
        last4=str(card["last4"]),
        exp_month=int(card["exp_month"]),
        exp_year=int(card["exp_year"]),
    )


def _card_of_payment_method(payment_method: Any) -> CardSummary | None:
    # Unexpanded, a payment method is only its id: there is nothing to read.
    if not isinstance(payment_method, dict):
        return None
    return _card_from(payment_method.get("card"))


def card_summary_from_payment_intent(intent: Json) -> CardSummary | None:
    """Brand, last four and expiry: from the latest charge when it was expanded (what was
    actually charged), else from the expanded payment method, else unknown."""
    charge = intent.get("latest_charge")
    if isinstance(charge, dict):
        details = charge.get("payment_method_details") or {}
        return _card_from(details.get("card"))
    return _card_of_payment_method(intent.get("payment_method"))


def card_summary_from_charge(charge: Json) -> CardSummary | None:
    return _card_from((charge.get("payment_method_details") or {}).get("card"))


def _redirect_url(next_action: Json | None) -> str:
    """Where the payer authenticates. Only a ``redirect_to_url`` action (Stripe gives one when
    the intent was confirmed with a ``return_url``) has a page to send them to."""
    if next_action and next_action.get("type") == "redirect_to_url":
        return str(next_action["redirect_to_url"]["url"])
    return ""


def _failed_from_error(error: Json, *, provider_reference: str, card: CardSummary | None) -> ChargeResult:
    return ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=provider_reference,
        card=card or _card_of_payment_method(error.get("payment_method")),
        failure_code=_text(error.get("code") or "card_declined", _CODE_LENGTH),
        decline_code=_text(error.get("decline_code"), _CODE_LENGTH),
        failure_message=_text(error.get("message"), _MESSAGE_LENGTH),
        failure_param=_text(error.get("param"), _CODE_LENGTH),
    )


def charge_result_from_payment_intent(intent: Json) -> ChargeResult:
    """A PaymentIntent's status as our outcome.

    ``succeeded`` → SUCCEEDED (the fee is not known yet with asynchronous capture: 0);
    ``requires_action`` → REQUIRES_ACTION with the 3-D Secure page; ``processing`` →
    PROCESSING; ``requires_payment_method`` (an attempt failed) and ``canceled`` → FAILED.
    Refuses any other status (``requires_confirmation``, ``requires_capture``): the adapter
    always confirms and captures automatically, so one of those means a misconfiguration.
    """
    status = intent["status"]
    reference = str(intent["id"])
    card = card_summary_from_payment_intent(intent)
    if status == "succeeded":
        return ChargeResult(outcome=ChargeOutcome.SUCCEEDED, provider_reference=reference, card=card, fee_amount=0)
    if status == "requires_action":
        return ChargeResult(
            outcome=ChargeOutcome.REQUIRES_ACTION,
            provider_reference=reference,
            card=card,
            redirect_url=_redirect_url(intent.get("next_action")),
        )
    if status == "processing":
        return ChargeResult(outcome=ChargeOutcome.PROCESSING, provider_reference=reference, card=card)
    if status == "requires_payment_method":
        error = intent.get("last_payment_error") or {
            "code": "payment_method_required",
            "message": "No payment method has been tried on this payment yet.",
        }
        return _failed_from_error(error, provider_reference=reference, card=card)
    if status == "canceled":
        return ChargeResult(
            outcome=ChargeOutcome.FAILED,
            provider_reference=reference,
            card=card,
            failure_code="payment_intent_canceled",
            failure_message=_text(
                f"The payment was canceled ({intent.get('cancellation_reason') or 'no reason given'}).",
                _MESSAGE_LENGTH,
            ),
        )
    raise ProviderRejected(f"Stripe PaymentIntent {reference} is in an unexpected state: {status}.")


def charge_result_from_error(error_body: Json) -> ChargeResult:
    """A refused charge (a 402 card error, or a 400 about the payment method) as FAILED.

    Stripe puts the PaymentIntent the attempt created (if any) and the payment method in
    the error, so the failed payment still knows its intent and which card was declined.
    """
    error = error_body["error"]
    intent = error.get("payment_intent") or {}
    return _failed_from_error(
        error,
        provider_reference=str(intent.get("id") or ""),
        card=card_summary_from_payment_intent(intent) if intent else None,
    )


def refund_result_from_refund(refund: Json) -> RefundResult:
    """``succeeded`` and ``pending`` are accepted refunds (card refunds usually succeed at
    once; a pending one completes within days and cannot be taken back); ``failed`` and
    ``canceled`` are refusals with Stripe's reason."""
    status = refund["status"]
    reference = str(refund["id"])
    if status in ("succeeded", "pending"):
        return RefundResult(succeeded=True, provider_reference=reference)
    if status in ("failed", "canceled"):
        return RefundResult(
            succeeded=False,
            provider_reference=reference,
            failure_reason=_text(refund.get("failure_reason") or status, _CODE_LENGTH),
        )
    raise ProviderRejected(f"Stripe refund {reference} is in an unexpected state: {status}.")


def refund_result_from_error(error_body: Json) -> RefundResult:
    """A refund Stripe refused (already refunded, more than remains, a disputed charge)."""
    error = error_body["error"]
    return RefundResult(succeeded=False, failure_reason=_text(error.get("code") or error.get("type"), _CODE_LENGTH))
