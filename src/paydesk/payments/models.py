"""Payments, what they paid for (allocations) and refunds.

No card number is stored: only the provider's reference, brand, last four digits and expiry.
"""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core import ids
from paydesk.customers.models import Customer
from paydesk.invoicing.models import Invoice

from .enums import PaymentStatus, RefundStatus


class Payment(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_payment_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="payments")
    livemode = models.BooleanField(default=False)
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=32,
        choices=[(status.value, status.value) for status in PaymentStatus],
        default=PaymentStatus.REQUIRES_PAYMENT_METHOD.value,
    )
    method_type = models.CharField(max_length=20, default="card")
    # A card paid through a wallet ("apple_pay", "google_pay", "test_wallet"), else empty.
    wallet = models.CharField(max_length=20, blank=True, default="")
    saved_method = models.ForeignKey(
        "SavedPaymentMethod", null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    # Set on the payments an automatic charge made (first try and retries).
    automatic_charge = models.ForeignKey(
        "AutomaticCharge", null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    # A payment of several invoices at once (the customer portal): which invoices and how
    # much of each, as [{"invoice": pk, "amount": minor}], fixed before the charge. Empty for
    # a payment of one invoice (``invoice``) or of none. Allocations follow it on success.
    several_invoices = models.JSONField(default=list, blank=True)
    provider = models.CharField(max_length=20)
    provider_reference = models.CharField(max_length=100, blank=True, default="")
    card_brand = models.CharField(max_length=20, blank=True, default="")
    card_last4 = models.CharField(max_length=4, blank=True, default="")
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    failure_code = models.CharField(max_length=40, blank=True, default="")
    decline_code = models.CharField(max_length=40, blank=True, default="")
    failure_message = models.CharField(max_length=300, blank=True, default="")
    next_action_url = models.URLField(max_length=500, blank=True, default="")
    return_url = models.URLField(max_length=500, blank=True, default="")
    fee_amount = models.BigIntegerField(default=0)
    # Sum of succeeded refunds, kept under the payment's row lock; checked by the ledger check.
    amount_refunded = models.BigIntegerField(default=0)
    created = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["business", "livemode", "-id"]),
            models.Index(fields=["provider", "provider_reference"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(amount_refunded__gte=0)
                & models.Q(amount_refunded__lte=models.F("amount")),
                name="payment_never_over_refunded",
            ),
        ]

    @property
    def amount_refundable(self) -> int:
        if self.status != PaymentStatus.SUCCEEDED:
            return 0
        return self.amount - self.amount_refunded


class PaymentAllocation(models.Model):
    """How much of a payment went to an invoice. An invoice's paid amount is the sum of these."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.BigIntegerField()
    created = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="one_allocation_per_pair"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive"),
        ]


class Refund(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_refund_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="refunds")
    livemode = models.BooleanField(default=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20,
        choices=[(status.value, status.value) for status in RefundStatus],
        default=RefundStatus.PENDING.value,
    )
    reason = models.CharField(max_length=40, blank=True, default="")
    provider_reference = models.CharField(max_length=100, blank=True, default="")
    failure_reason = models.CharField(max_length=200, blank=True, default="")
    created = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["business", "livemode", "-id"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")
        ]


class SavedPaymentMethod(models.Model):
    """A card the customer agreed to keep for next time: the provider's token and what the
    customer needs to recognise it. Never the number (rule 9)."""

    public_id = models.CharField(max_length=40, unique=True, default=ids.new_saved_method_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    livemode = models.BooleanField(default=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="saved_methods")
    provider = models.CharField(max_length=20)
    provider_token = models.CharField(max_length=100)
    card_brand = models.CharField(max_length=20)
    card_last4 = models.CharField(max_length=4)
    card_exp_month = models.PositiveSmallIntegerField()
    card_exp_year = models.PositiveSmallIntegerField()
    is_default = models.BooleanField(default=False)
    # Kept only once a payment with it has succeeded: a card that never worked is not offered.
    active = models.BooleanField(default=False)
    created = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    def expires_within(self, days: int, today) -> bool:
        """True when the card stops working within ``days`` (it works to its month's end)."""
        import datetime

        if self.card_exp_month == 12:
            first_invalid_day = datetime.date(self.card_exp_year + 1, 1, 1)
        else:
            first_invalid_day = datetime.date(self.card_exp_year, self.card_exp_month + 1, 1)
        return (first_invalid_day - today).days <= days

    class Meta:
        indexes = [models.Index(fields=["customer", "removed_at"])]


class AutomaticCharge(models.Model):
    """An invoice (or one part of its payment plan) the customer lets the business charge to
    a saved card on its due date, with its smart-retry state. The attempts themselves are ordinary payments."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled"  # waiting for its date
        RETRYING = "retrying"  # failed; the next try is at next_attempt_at
        SUCCEEDED = "succeeded"
        NEEDS_CUSTOMER = "needs_customer"  # a failure a retry cannot fix (expired card...)
        EXHAUSTED = "exhausted"  # out of tries; the invoice stays open for other ways to pay
        CANCELED = "canceled"  # the invoice was paid or closed another way

    public_id = models.CharField(max_length=40, unique=True, default=ids.new_automatic_charge_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    livemode = models.BooleanField(default=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="automatic_charges")
    # Set when the charge is one part of a payment plan; empty when it is the whole invoice
    # on its due date (at most one such charge per invoice).
    plan_part = models.OneToOneField(
        "terms.PlanPart", null=True, blank=True, on_delete=models.PROTECT, related_name="automatic_charge"
    )
    saved_method = models.ForeignKey(SavedPaymentMethod, on_delete=models.PROTECT, related_name="automatic_charges")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    # In the business's time (its test clock in test mode).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_decline_code = models.CharField(max_length=40, blank=True, default="")
    created = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=models.Q(plan_part=None), name="one_whole_invoice_charge"
            )
        ]
