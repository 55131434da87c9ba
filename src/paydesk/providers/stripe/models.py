"""A business's Stripe account, and the Stripe events already received from it.

The secret key and the webhook signing secret are encrypted at rest (rule 9) and never
logged; the publishable key is public by design (it goes to the browser) and is stored plain.
"""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core.encryption import EncryptedTextField


class StripeConnection(models.Model):
    """The keys one business uses with Stripe in one mode (test or live): at most one each."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="stripe_connections")
    livemode = models.BooleanField()
    secret_key = EncryptedTextField()
    # The last four characters only, so staff can tell which key is in use.
    secret_key_last4 = models.CharField(max_length=4)
    publishable_key = models.CharField(max_length=255)
    webhook_secret = EncryptedTextField()
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "livemode"], name="one_stripe_connection_per_mode")
        ]

    def __str__(self) -> str:
        mode = "live" if self.livemode else "test"
        return f"Stripe ({mode}, key ending {self.secret_key_last4})"

    def __repr__(self) -> str:  # the secrets must not reach a log or a traceback
        return f"<StripeConnection business={self.business_id} livemode={self.livemode}>"


class StripeWebhookOutcome(models.TextChoices):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    IGNORED_EVENT_TYPE = "ignored_event_type"
    IGNORED_UNKNOWN_PAYMENT = "ignored_unknown_payment"
    AMOUNT_MISMATCH = "amount_mismatch"
    REFUNDED_CANCELED_PAYMENT = "refunded_canceled_payment"
    REFUND_FAILED = "refund_failed"
    REFUND_NOT_RECORDED = "refund_not_recorded"


class StripeWebhookEvent(models.Model):
    """One Stripe event, recorded the first time it arrives, in the transaction that applies it.

    The unique constraint turns Stripe's at-least-once delivery into exactly-once application:
    a repeated delivery fails to insert and is answered 200 without touching anything.
    """

    connection = models.ForeignKey(StripeConnection, on_delete=models.PROTECT, related_name="webhook_events")
    stripe_event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    # The PaymentIntent the event is about, when there is one (for support and reconciliation).
    payment_intent_id = models.CharField(max_length=255, blank=True, default="")
    outcome = models.CharField(max_length=40, choices=StripeWebhookOutcome.choices)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "stripe_event_id"], name="one_stripe_event_per_connection")
        ]
        indexes = [models.Index(fields=["payment_intent_id"])]
