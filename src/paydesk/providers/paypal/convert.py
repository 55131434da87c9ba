"""PayPal's shapes turned into Paydesk's, and back (rule 7: one module per provider).

Money: PayPal writes amounts as decimal strings in major units (``"120.50"``); Paydesk
keeps integers of minor units. Conversion is exact integer arithmetic both ways, by the
currency's exponent (``paydesk.core.money.minor_unit_exponent``); a string that is not a
whole number of minor units is refused, never rounded. No float is ever involved.

Provider references (what ``Payment.provider_reference`` holds for a PayPal payment):

- ``"<order id>"`` while the payer has not paid yet (after ``order_create``);
- ``"<order id>:<capture id>"`` once PayPal has captured the money (``5O190127TN364715T:3C679366HH908993F``).

Both parts are PayPal ids (``[A-Z0-9]+``), so the colon is unambiguous. Refunds need the
capture id, and webhooks about a capture carry both ids, so a payment is always found.
"""

from __future__ import annotations

import re
from typing import Any

from paydesk.core.errors import PaydeskError
from paydesk.core.money import minor_unit_exponent

from ..base import ChargeOutcome, ChargeResult, RefundResult
from .client import PayPalUnavailable

REFERENCE_SEPARATOR = ":"

# Currencies PayPal's REST APIs accept for payments (PayPal's "Currency codes" reference).
# Several are for in-country accounts only (BRL, MYR, CNY, INR); PayPal refuses those for
# other accounts with a 422, which becomes a plain failure.
PAYPAL_CURRENCIES = frozenset(
    {
        "aud", "brl", "cad", "chf", "cny", "czk", "dkk", "eur", "gbp", "hkd", "huf", "ils",
        "inr", "jpy", "mxn", "myr", "nok", "nzd", "php", "pln", "sek", "sgd", "thb", "twd",
        "usd",
    }
)  # fmt: skip
# PayPal takes these in whole units only ("does not support decimals"), although ISO 4217
# gives HUF and TWD two decimals: an amount with fillér or cents cannot be sent.
WHOLE_UNIT_CURRENCIES = frozenset({"huf", "jpy", "twd"})

# PayPal's documented pattern for money values.
_VALUE = re.compile(r"^-?([0-9]+|[0-9]*\.[0-9]+)$")

# A decline is a Stripe-like ``failure_code`` (what the API and the pages already know)
# plus the PayPal issue, lower-cased, as ``decline_code``.
DECLINED = "payment_method_provider_decline"
NOT_APPROVED = "payment_method_customer_decline"

DECLINE_MESSAGES = {
    "instrument_declined": "PayPal declined the payment method you chose. You have not been charged; "
    "choose another way to pay.",
    "payer_cannot_pay": "PayPal could not take this payment from your account. You have not been charged; "
    "choose another way to pay.",
    "transaction_refused": "PayPal refused this payment. You have not been charged.",
    "order_not_approved": "The payment was not approved on PayPal. You have not been charged.",
    "capture_declined": "PayPal declined the payment. You have not been charged.",
}
GENERIC_DECLINE_MESSAGE = "PayPal could not complete the payment. You have not been charged."
NOT_APPROVED_MESSAGE = "You left PayPal without approving the payment. You have not been charged."


# -- money --------------------------------------------------------------------------------


def minor_to_value(amount_minor: int, currency: str) -> str:
    """``12050, "usd"`` → ``"120.50"``; ``500, "jpy"`` → ``"500"``; ``1234, "kwd"`` → ``"1.234"``."""
    if type(amount_minor) is not int:
        raise TypeError("amounts are integers of minor units")
    exponent = minor_unit_exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    whole, fraction = divmod(abs(amount_minor), 10**exponent)
    if exponent == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:0{exponent}d}"


def value_to_minor(value: str, currency: str) -> int:
    """``"120.50", "usd"`` → ``12050``. Refuses a value finer than the currency's minor unit."""
    if not isinstance(value, str) or len(value) > 32 or not _VALUE.match(value):
        raise ValueError(f"{value!r} is not a PayPal money value")
    exponent = minor_unit_exponent(currency)
    negative = value.startswith("-")
    whole, _, fraction = value.lstrip("-").partition(".")
    # Digits past the minor unit are allowed only as trailing zeros ("120.500" is 12050).
    if fraction[exponent:].strip("0"):
        raise ValueError(f"{value!r} is not a whole number of {currency.upper()} minor units")
    amount = int((whole or "0") + fraction[:exponent].ljust(exponent, "0"))
    return -amount if negative else amount


def paypal_accepts(currency: str) -> bool:
    return currency in PAYPAL_CURRENCIES


def paypal_amount(amount_minor: int, currency: str) -> dict[str, str]:
    """Paydesk's amount as PayPal's ``{"currency_code", "value"}``; refuses what PayPal cannot take."""
    if not paypal_accepts(currency):
        raise PaydeskError(
            "currency_not_supported_by_provider",
            f"PayPal does not take payments in {currency.upper()}.",
            param="currency",
        )
    if amount_minor <= 0:
        raise PaydeskError("amount_invalid", "The amount must be a positive whole number of minor units.", param="amount")
    if currency in WHOLE_UNIT_CURRENCIES:
        units = 10 ** minor_unit_exponent(currency)
        if amount_minor % units:
            raise PaydeskError(
                "amount_invalid_for_provider",
                f"PayPal takes {currency.upper()} in whole units only; this amount has a fraction.",
                param="amount",
            )
        return {"currency_code": currency.upper(), "value": str(amount_minor // units)}
    return {"currency_code": currency.upper(), "value": minor_to_value(amount_minor, currency)}


def amount_from_paypal(money: Any) -> tuple[int, str]:
    """PayPal's ``{"currency_code", "value"}`` as ``(minor units, lower-case currency)``."""
    if not isinstance(money, dict) or not isinstance(money.get("currency_code"), str):
        raise PayPalUnavailable("PayPal's answer had an amount that could not be read.")
    currency = money["currency_code"].lower()
    try:
        return value_to_minor(money.get("value"), currency), currency
    except (ValueError, KeyError) as error:
        raise PayPalUnavailable("PayPal's answer had an amount that could not be read.") from error


# -- references ---------------------------------------------------------------------------


def capture_reference(order_id: str, capture_id: str) -> str:
    return f"{order_id}{REFERENCE_SEPARATOR}{capture_id}"


def split_reference(provider_reference: str) -> tuple[str, str]:
    """``(order id, capture id)``; the capture id is ``""`` until the money was captured."""
    order_id, _, capture_id = provider_reference.partition(REFERENCE_SEPARATOR)
    return order_id, capture_id


# -- orders and captures ------------------------------------------------------------------


def approve_url(order: dict[str, Any]) -> str:
    """Where the payer approves the order: the ``payer-action`` link (``approve`` in older
    integrations that sent ``application_context``)."""
    for rel in ("payer-action", "approve"):
        for link in order.get("links") or []:
            if isinstance(link, dict) and link.get("rel") == rel and str(link.get("href", "")).startswith("https://"):
                return link["href"]
    raise PayPalUnavailable("PayPal's order had no link for the payer to approve it.")


def charge_result_from_created_order(order: dict[str, Any]) -> ChargeResult:
    """A new order waits for the payer on PayPal's page."""
    order_id = order.get("id")
    if not isinstance(order_id, str) or not order_id:
        raise PayPalUnavailable("PayPal's order answer had no id.")
    return ChargeResult(outcome=ChargeOutcome.REQUIRES_ACTION, provider_reference=order_id, redirect_url=approve_url(order))


def first_capture(order: dict[str, Any]) -> dict[str, Any] | None:
    """``purchase_units[0].payments.captures[0]``, if the order has been captured."""
    units = order.get("purchase_units") or []
    if not units or not isinstance(units[0], dict):
        return None
    captures = (units[0].get("payments") or {}).get("captures") or []
    return captures[0] if captures and isinstance(captures[0], dict) else None


def charge_result_from_order(order: dict[str, Any]) -> ChargeResult:
    """An order after capture (the capture answer, or the order fetched later)."""
    capture = first_capture(order)
    if capture is None:
        raise PayPalUnavailable("PayPal's order answer had no capture in it.")
    return charge_result_from_capture(capture, order_id=str(order.get("id", "")))


def fee_from_capture(capture: dict[str, Any], currency: str) -> int:
    """PayPal's fee on a capture, in the capture's currency; 0 when PayPal gave none (pending)."""
    breakdown = capture.get("seller_receivable_breakdown") or {}
    fee = breakdown.get("paypal_fee")
    if not fee:
        return 0
    fee_amount, fee_currency = amount_from_paypal(fee)
    return fee_amount if fee_currency == currency else 0


def charge_result_from_capture(capture: dict[str, Any], *, order_id: str) -> ChargeResult:
    """What a capture's status means for the payment.

    COMPLETED (and, seen later, PARTIALLY_REFUNDED or REFUNDED): the money was taken.
    PENDING: PayPal holds it for review or funding; a webhook settles it later.
    DECLINED or FAILED: nothing was taken.
    """
    capture_id = capture.get("id")
    status = capture.get("status")
    if not isinstance(capture_id, str) or not capture_id or not order_id:
        raise PayPalUnavailable("PayPal's capture had no id.")
    reference = capture_reference(order_id, capture_id)
    if status in ("COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED"):
        _, currency = amount_from_paypal(capture.get("amount"))
        return ChargeResult(
            outcome=ChargeOutcome.SUCCEEDED, provider_reference=reference, fee_amount=fee_from_capture(capture, currency)
        )
    if status == "PENDING":
        return ChargeResult(outcome=ChargeOutcome.PROCESSING, provider_reference=reference)
    if status in ("DECLINED", "FAILED"):
        decline_code = f"capture_{status.lower()}"
        return ChargeResult(
            outcome=ChargeOutcome.FAILED,
            provider_reference=reference,
            failure_code=DECLINED,
            decline_code=decline_code,
            failure_message=DECLINE_MESSAGES.get(decline_code, GENERIC_DECLINE_MESSAGE),
        )
    raise PayPalUnavailable(f"PayPal's capture had an unknown status {status!r}.")


def charge_result_for_issue(issue: str, *, order_id: str) -> ChargeResult:
    """A 422 from PayPal (``INSTRUMENT_DECLINED``...) as a failed payment with a plain message."""
    decline_code = issue.lower()[:40]
    return ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=order_id,
        failure_code=DECLINED,
        decline_code=decline_code,
        failure_message=DECLINE_MESSAGES.get(decline_code, GENERIC_DECLINE_MESSAGE),
    )


def charge_result_not_approved(order_id: str) -> ChargeResult:
    """The payer came back through the cancel link: like a failed 3-D Secure challenge."""
    return ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=order_id,
        failure_code=NOT_APPROVED,
        decline_code="authentication_failed",
        failure_message=NOT_APPROVED_MESSAGE,
    )


# -- refunds ------------------------------------------------------------------------------

_REFUND_FAILURE_FOR_ISSUE = {
    "REFUND_AMOUNT_EXCEEDED": "amount_too_large",
    "CAPTURE_FULLY_REFUNDED": "charge_already_refunded",
    "REFUND_TIME_LIMIT_EXCEEDED": "refund_time_limit_exceeded",
    "INSUFFICIENT_FUNDS": "insufficient_funds",
}


def refund_result_from_refund(refund: dict[str, Any]) -> RefundResult:
    """COMPLETED, and PENDING (PayPal has accepted it and will finish it), count as done;
    FAILED and CANCELLED do not. ``RefundResult`` has no pending state to say more."""
    refund_id = refund.get("id")
    status = refund.get("status")
    if not isinstance(refund_id, str) or not refund_id:
        raise PayPalUnavailable("PayPal's refund answer had no id.")
    if status in ("COMPLETED", "PENDING"):
        return RefundResult(succeeded=True, provider_reference=refund_id)
    if status in ("FAILED", "CANCELLED"):
        return RefundResult(succeeded=False, provider_reference=refund_id, failure_reason=f"refund_{status.lower()}")
    raise PayPalUnavailable(f"PayPal's refund had an unknown status {status!r}.")


def refund_result_for_issue(issue: str) -> RefundResult:
    return RefundResult(succeeded=False, failure_reason=_REFUND_FAILURE_FOR_ISSUE.get(issue, issue.lower()[:200]))
