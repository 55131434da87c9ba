"""Payment plans: what remains of an invoice in parts on dates (or all of it on one later
date), the business's policy for what customers may ask for, and which payment paid which
part.

A part's amount is fixed when the plan starts; what has been paid on it is kept on the part,
changed only under the invoice's row lock by ``terms.allocation`` (``paydesk ledger check``
proves the parts agree with their allocations and with the invoice).
"""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core import ids
from paydesk.customers.models import Customer
from paydesk.invoicing.models import Invoice

from .enums import LIVE_STATUSES, PlanInterval, PlanKind, PlanStatus


class PlanPolicy(models.Model):
    """What a customer may ask for on their own, per business (staff may set any plan).

    Amounts are minor units of the invoice's currency."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="plan_policy")
    plans_enabled = models.BooleanField(default=False)
    max_installments = models.PositiveSmallIntegerField(default=6)
    longest_span_days = models.PositiveSmallIntegerField(default=180)
    smallest_part = models.BigIntegerField(default=1000)
    # The share of what remains the first part must be at least (0: no deposit).
    deposit_percent = models.PositiveSmallIntegerField(default=0)
    # Which invoices qualify.
    minimum_total = models.BigIntegerField(default=0)
    require_good_standing = models.BooleanField(default=True)
    # Within the policy, start at once; otherwise staff review each request.
    auto_approve = models.BooleanField(default=True)
    pay_later_enabled = models.BooleanField(default=False)
    pay_later_max_days = models.PositiveSmallIntegerField(default=30)
    # Days a part may stay unpaid after its date before the plan is past due.
    grace_days = models.PositiveSmallIntegerField(default=3)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(deposit_percent__lte=90), name="plan_deposit_percent_at_most_90"),
            models.CheckConstraint(condition=models.Q(max_installments__gte=2), name="plan_at_least_two_parts"),
        ]


class PaymentPlan(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_payment_plan_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="payment_plans")
    livemode = models.BooleanField(default=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payment_plans")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payment_plans")
    kind = models.CharField(max_length=20, choices=[(kind.value, kind.value) for kind in PlanKind])
    status = models.CharField(max_length=20, choices=[(status.value, status.value) for status in PlanStatus])
    interval = models.CharField(
        max_length=10, choices=[(interval.value, interval.value) for interval in PlanInterval], default="month"
    )
    # What the plan covers: what remained on the invoice when it started.
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    deposit_amount = models.BigIntegerField(default=0)
    # Parts are charged to this card when they fall due (the customer's consent), else the
    # customer pays each part themselves.
    auto_charge = models.BooleanField(default=False)
    saved_method = models.ForeignKey(
        "payments.SavedPaymentMethod", null=True, blank=True, on_delete=models.SET_NULL, related_name="payment_plans"
    )
    requested_by = models.CharField(max_length=10, default="staff")  # "customer" or "staff"
    # Staff's word to the customer when approving or declining a request.
    staff_message = models.CharField(max_length=1000, blank=True, default="")
    # The invoice's due date before the plan moved it (see terms.services).
    original_due_date = models.DateField(null=True, blank=True)
    created = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["business", "livemode", "-id"]),
            models.Index(fields=["status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=models.Q(status__in=[status.value for status in LIVE_STATUSES]),
                name="one_live_plan_per_invoice",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="plan_amount_positive"),
        ]

    @property
    def amount_paid(self) -> int:
        return sum(part.amount_paid for part in self.parts.all())

    def __str__(self) -> str:
        return self.public_id


class PlanPart(models.Model):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField()  # 1, 2, 3...
    due_date = models.DateField()
    amount = models.BigIntegerField()
    amount_paid = models.BigIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="one_part_per_position"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="plan_part_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(amount_paid__gte=0) & models.Q(amount_paid__lte=models.F("amount")),
                name="plan_part_never_overpaid",
            ),
        ]

    @property
    def amount_remaining(self) -> int:
        return self.amount - self.amount_paid


class PartAllocation(models.Model):
    """How much of a payment went to a part of a plan (oldest open part first)."""

    payment = models.ForeignKey("payments.Payment", on_delete=models.PROTECT, related_name="part_allocations")
    part = models.ForeignKey(PlanPart, on_delete=models.PROTECT, related_name="allocations")
    amount = models.BigIntegerField()
    created = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "part"], name="one_part_allocation_per_pair"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="part_allocation_positive"),
        ]
