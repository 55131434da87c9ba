"""Stripe's webhook events for one business: verified, recorded once, applied to its payments.

Verification is Stripe's scheme through the SDK (``Stripe-Signature: t=<unix>,v1=<hex
HMAC-SHA256 of "t.body">``, ``stripe.WebhookSignature``), with a 300-second tolerance
against replays. The business's test and live connections each have their own signing
secret; the one that verifies the body says which connection (and so which mode) spoke,
and the event's own ``livemode`` must agree.

Each event is recorded (``StripeWebhookEvent``, unique per connection and event id) in the
same transaction that applies it: a repeated delivery is a no-op answered 200, and a
failure while applying rolls the record back so Stripe's retry applies it again.

Applied events:

- ``payment_intent.succeeded`` / ``.payment_failed`` / ``.processing``: the intent's status
  goes through ``payments.services.payment_settle_from_provider``. If our payment was
  canceled or failed meanwhile while Stripe took the money, the money is refunded at Stripe.
- ``charge.refunded``: a payment still waiting is settled as succeeded (the charge went
  through); a refund made outside Paydesk (in the Stripe Dashboard) is flagged
  ``refund_not_recorded`` and logged, since no payments service records an outside refund.

Every other type is recorded as ``ignored_event_type``. Payments are looked up only within
the connection's business and mode (rule 8).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import stripe
from django.db import IntegrityError, transaction

from paydesk.core import clock
from paydesk.payments.enums import PaymentStatus
from paydesk.payments.models import Payment
from paydesk.payments.services import payment_settle_from_provider

from ..base import ChargeOutcome, ChargeResult
from .adapter import PROVIDER_NAME
from .convert import card_summary_from_charge, charge_result_from_payment_intent
from .models import StripeConnection, StripeWebhookEvent, StripeWebhookOutcome
from .services import stripe_provider_for_connection

logger = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300

_PAYMENT_INTENT_EVENTS = frozenset(
    {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.processing"}
)
_WAITING = frozenset({PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING})
_NOT_TAKEN = frozenset({PaymentStatus.CANCELED, PaymentStatus.FAILED})

Json = dict[str, Any]


class WebhookRejected(Exception):
    """A delivery that is not provably Stripe's, now, for this business: answered 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class WebhookReceipt:
    event_id: str
    duplicate: bool
    outcome: str


def _verified_connection(business_public_id: str, payload: bytes, signature_header: str | None) -> StripeConnection:
    for connection in StripeConnection.objects.filter(business__public_id=business_public_id).order_by("id"):
        secret = connection.webhook_secret
        try:
            # First whose secret signed this body (any age), then whether it is recent.
            stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance=None)
        except (stripe.SignatureVerificationError, UnicodeDecodeError):
            continue
        try:
            stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance=TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError:
            raise WebhookRejected(
                "timestamp_outside_tolerance",
                f"The signature's timestamp is more than {TOLERANCE_SECONDS} seconds old.",
            ) from None
        return connection
    raise WebhookRejected("signature_invalid", "No valid Stripe signature for this endpoint.")


def _parse(payload: bytes) -> Json:
    try:
        event = json.loads(payload)
    except ValueError:
        event = None
    data = event.get("data") if isinstance(event, dict) else None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("object"), dict)
        and event.get("object") == "event"
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
    ):
        raise WebhookRejected("payload_invalid", "The body is not a Stripe event.")
    return event


def stripe_webhook_receive(*, business_public_id: str, payload: bytes, signature_header: str | None) -> WebhookReceipt:
    """Verify, record and apply one delivery. Raises ``WebhookRejected`` for a delivery that
    fails verification (nothing is written), ``ProviderUnavailable`` when a refund owed at
    Stripe could not be made (nothing is written; Stripe will deliver again)."""
    connection = _verified_connection(business_public_id, payload, signature_header)
    event = _parse(payload)
    if bool(event.get("livemode")) != connection.livemode:
        raise WebhookRejected("livemode_mismatch", "The event's mode does not match the key that signed it.")
    event_id, event_type, data = event["id"], event["type"], event["data"]["object"]
    intent_id = data.get("payment_intent") if data.get("object") == "charge" else data.get("id")
    intent_id = intent_id if isinstance(intent_id, str) and intent_id.startswith("pi_") else ""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeWebhookEvent.objects.create(
                    connection=connection,
                    stripe_event_id=event_id,
                    event_type=event_type,
                    payment_intent_id=intent_id,
                    outcome=StripeWebhookOutcome.UNCHANGED,
                    received_at=clock.now(),
                )
        except IntegrityError:
            earlier = StripeWebhookEvent.objects.get(connection=connection, stripe_event_id=event_id)
            return WebhookReceipt(event_id=event_id, duplicate=True, outcome=earlier.outcome)
        outcome = _apply(connection, event_type, data)
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    return WebhookReceipt(event_id=event_id, duplicate=False, outcome=outcome)


def _apply(connection: StripeConnection, event_type: str, data: Json) -> StripeWebhookOutcome:
    if event_type in _PAYMENT_INTENT_EVENTS:
        return _payment_intent_changed(connection, data)
    if event_type == "charge.refunded":
        return _charge_refunded(connection, data)
    return StripeWebhookOutcome.IGNORED_EVENT_TYPE


def _payment_for(connection: StripeConnection, intent_id: str) -> Payment | None:
    return Payment.objects.filter(
        business=connection.business_id,
        livemode=connection.livemode,
        provider=PROVIDER_NAME,
        provider_reference=intent_id,
    ).first()


def _amount_matches(payment: Payment, stripe_object: Json) -> bool:
    if stripe_object["amount"] == payment.amount and stripe_object["currency"] == payment.currency:
        return True
    logger.error(
        "Stripe %s %s is for %s %s but payment %s is for %s %s; not applied",
        stripe_object["object"],
        stripe_object["id"],
        stripe_object["amount"],
        stripe_object["currency"],
        payment.public_id,
        payment.amount,
        payment.currency,
    )
    return False


def _payment_intent_changed(connection: StripeConnection, intent: Json) -> StripeWebhookOutcome:
    payment = _payment_for(connection, str(intent["id"]))
    if payment is None:
        return StripeWebhookOutcome.IGNORED_UNKNOWN_PAYMENT
    if not _amount_matches(payment, intent):
        return StripeWebhookOutcome.AMOUNT_MISMATCH
    result = charge_result_from_payment_intent(intent)
    before = payment.status
    # Settling "processing" onto a processing payment would be a move to itself.
    if result.outcome == ChargeOutcome.PROCESSING and before == PaymentStatus.PROCESSING:
        return StripeWebhookOutcome.UNCHANGED
    payment = payment_settle_from_provider(
        provider_name=PROVIDER_NAME, provider_reference=payment.provider_reference, result=result
    )
    if result.outcome == ChargeOutcome.SUCCEEDED and payment.status in _NOT_TAKEN:
        return _return_money_we_did_not_count(connection, payment)
    return StripeWebhookOutcome.APPLIED if payment.status != before else StripeWebhookOutcome.UNCHANGED


def _return_money_we_did_not_count(connection: StripeConnection, payment: Payment) -> StripeWebhookOutcome:
    """Stripe took money for a payment we canceled (the invoice was paid otherwise meanwhile)
    or failed: give it all back. Keyed on the payment, so every retry is the same refund."""
    result = stripe_provider_for_connection(connection).refund_create(
        payment.provider_reference,
        amount=payment.amount,
        currency=payment.currency,
        reference=f"{payment.public_id}-not-counted",
    )
    if result.succeeded:
        logger.info("Refunded %s at Stripe: payment %s is %s", payment.provider_reference, payment.public_id, payment.status)
        return StripeWebhookOutcome.REFUNDED_CANCELED_PAYMENT
    logger.error(
        "Stripe took %s for payment %s (%s) and refused to refund it: %s",
        payment.provider_reference,
        payment.public_id,
        payment.status,
        result.failure_reason,
    )
    return StripeWebhookOutcome.REFUND_FAILED


def _charge_refunded(connection: StripeConnection, charge: Json) -> StripeWebhookOutcome:
    payment = _payment_for(connection, str(charge.get("payment_intent") or ""))
    if payment is None:
        return StripeWebhookOutcome.IGNORED_UNKNOWN_PAYMENT
    if not _amount_matches(payment, charge):
        return StripeWebhookOutcome.AMOUNT_MISMATCH
    before = payment.status
    if before in _WAITING and charge["status"] == "succeeded":
        # The charge went through (and was refunded since) before we heard it succeed.
        payment = payment_settle_from_provider(
            provider_name=PROVIDER_NAME,
            provider_reference=payment.provider_reference,
            result=ChargeResult(
                outcome=ChargeOutcome.SUCCEEDED,
                provider_reference=payment.provider_reference,
                card=card_summary_from_charge(charge),
            ),
        )
    if payment.status == PaymentStatus.SUCCEEDED and charge["amount_refunded"] > payment.amount_refunded:
        logger.warning(
            "Stripe shows %s refunded on %s but payment %s records %s: a refund made outside Paydesk",
            charge["amount_refunded"],
            charge["id"],
            payment.public_id,
            payment.amount_refunded,
        )
        return StripeWebhookOutcome.REFUND_NOT_RECORDED
    return StripeWebhookOutcome.APPLIED if payment.status != before else StripeWebhookOutcome.UNCHANGED
