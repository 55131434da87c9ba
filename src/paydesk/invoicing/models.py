"""Invoices and their lines.

Amounts are computed once when the draft is made and frozen at finalization. What has been
paid is the sum of payment allocations; ``amount_paid`` keeps that sum at hand and is only
ever changed by the payment service under a row lock (``paydesk ledger check`` proves the
two agree).
"""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core import ids
from paydesk.customers.models import Customer

from .enums import InvoiceStatus


class Invoice(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_invoice_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="invoices")
    livemode = models.BooleanField(default=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=40, blank=True, default="")
    status = models.CharField(
        max_length=20,
        choices=[(status.value, status.value) for status in InvoiceStatus],
        default=InvoiceStatus.DRAFT.value,
    )
    currency = models.CharField(max_length=3)
    due_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True, default="")
    subtotal = models.BigIntegerField(default=0)
    discount_amount = models.BigIntegerField(default=0)
    tax = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    amount_paid = models.BigIntegerField(default=0)
    # The secret in the customer's link: the hosted page needs no login.
    hosted_token = models.CharField(max_length=64, unique=True, default=ids.new_hosted_token)
    # The reference a bank transfer must carry (ISO 11649 "RF..."), made when first asked for.
    transfer_reference = models.CharField(max_length=25, blank=True, default="")
    # The customer chose to pay cash on delivery or in store; staff record it when paid.
    pay_on_delivery = models.BooleanField(default=False)
    # Made for a payer of a payment link, who is not known to the business: no saved cards
    # are offered or kept on it.
    payment_link = models.ForeignKey(
        "PaymentLink", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    created = models.DateTimeField()
    finalized_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    marked_uncollectible_at = models.DateTimeField(null=True, blank=True)
    # Staff paused automatic payment reminders for this invoice (messaging.reminder_pauses).
    reminders_paused = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["business", "livemode", "-id"]),
            models.Index(fields=["business", "livemode", "status", "-id"]),
            # The reminder sweep's candidates: open invoices by due date. (Without livemode:
            # SQLite writes "livemode = false" as "NOT livemode", which cannot use an index
            # column, so a middle livemode column would stop the due_date range from using it.)
            models.Index(
                fields=["business", "due_date"],
                condition=models.Q(status="open"),
                name="invoice_open_by_due_date",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "livemode", "number"],
                condition=~models.Q(number=""),
                name="invoice_number_unique_per_business",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__gte=0) & models.Q(amount_paid__lte=models.F("total")),
                name="invoice_never_overpaid",
            ),
            models.UniqueConstraint(
                fields=["business", "transfer_reference"],
                condition=~models.Q(transfer_reference=""),
                name="transfer_reference_unique_per_business",
            ),
        ]

    @property
    def amount_remaining(self) -> int:
        """What the customer still owes: nothing once the invoice is void or written off."""
        if self.status in (InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE):
            return 0
        return self.total - self.amount_paid

    def __str__(self) -> str:
        return self.number or self.public_id


class InvoiceLine(models.Model):
    public_id = models.CharField(max_length=40, unique=True, default=ids.new_invoice_line_id)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    description = models.CharField(max_length=500)
    quantity = models.PositiveIntegerField()
    unit_amount = models.BigIntegerField()
    tax_rate_percent = models.DecimalField(max_digits=7, decimal_places=4, default=0)
    amount = models.BigIntegerField()
    discount_amount = models.BigIntegerField(default=0)
    tax_amount = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["position"]


class PaymentLink(models.Model):
    """A reusable page for an ad-hoc amount. Each payer gets an invoice of their own, so
    receipts, refunds and the ledger work exactly as for any invoice."""

    public_id = models.CharField(max_length=40, unique=True, default=ids.new_payment_link_id)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="payment_links")
    livemode = models.BooleanField(default=False)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=500)
    token = models.CharField(max_length=64, unique=True, default=ids.new_hosted_token)
    active = models.BooleanField(default=True)
    created = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["business", "livemode", "-id"])]
