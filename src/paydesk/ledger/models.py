"""Immutable double-entry journal. Balances are sums of entries, never stored.

Rows can be inserted, never changed or deleted: the model refuses, and database triggers
(see the migration) refuse too, so not even a raw SQL slip can rewrite history.
"""

from __future__ import annotations

from django.db import models

from paydesk.businesses.models import Business
from paydesk.core import ids


class _AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("journal rows are immutable; post a reversing transaction")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("journal rows are immutable; post a reversing transaction")


class JournalTransaction(_AppendOnly):
    public_id = models.CharField(
        max_length=40, unique=True, default=ids.new_journal_transaction_id
    )
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    livemode = models.BooleanField(default=False)
    kind = models.CharField(max_length=40)  # JournalKind
    description = models.CharField(max_length=200)
    created = models.DateTimeField()


class JournalEntry(_AppendOnly):
    transaction = models.ForeignKey(
        JournalTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    account = models.CharField(max_length=40)  # LedgerAccount
    currency = models.CharField(max_length=3)
    # Signed minor units: debit positive, credit negative. A transaction's entries sum to 0.
    amount_minor = models.BigIntegerField()
    invoice = models.ForeignKey(
        "invoicing.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.ForeignKey(
        "payments.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["business", "account", "currency"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_minor=0), name="journal_entry_not_zero"
            )
        ]
