"""``paydesk ledger check``: proof that the books agree with themselves.

1. Every journal transaction balances, per currency (debits = credits).
2. Every invoice's ``amount_paid`` equals the sum of its payment allocations, and its
   receivable in the ledger equals what it still owes.
3. Every succeeded payment is allocated exactly once in full (when it pays an invoice),
   no failed payment is allocated, and its ``amount_refunded`` equals its succeeded refunds
   and never exceeds its amount.
4. Every payment plan's parts add up to the plan, each part's paid amount to what was
   allocated to it, and a running plan's open parts to what its invoice still owes.
Each finding names the object, so a broken row can be found at once.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum

from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.models import Invoice
from paydesk.payments.enums import PaymentStatus, RefundStatus
from paydesk.payments.models import Payment, PaymentAllocation, Refund

from .enums import LedgerAccount
from .models import JournalEntry, JournalTransaction

MAX_REPORTED_PROBLEMS = 100


def _unbalanced_transactions() -> list[str]:
    rows = (
        JournalEntry.objects.values("transaction__public_id", "currency")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)
    )
    return [f"transaction {row['transaction__public_id']} is off by {row['total']} {row['currency']}" for row in rows]


def _invoice_problems() -> list[str]:
    allocated = defaultdict(int)
    for row in PaymentAllocation.objects.values("invoice_id").annotate(total=Sum("amount")):
        allocated[row["invoice_id"]] = row["total"]
    receivable = defaultdict(int)
    for row in (
        JournalEntry.objects.filter(account=LedgerAccount.ACCOUNTS_RECEIVABLE.value, invoice__isnull=False)
        .values("invoice_id")
        .annotate(total=Sum("amount_minor"))
    ):
        receivable[row["invoice_id"]] = row["total"]
    problems = []
    for invoice_id, public_id, status, total, amount_paid in Invoice.objects.values_list(
        "pk", "public_id", "status", "total", "amount_paid"
    ).iterator():
        if amount_paid != allocated[invoice_id]:
            problems.append(f"invoice {public_id} says {amount_paid} paid but allocations sum to {allocated[invoice_id]}")
        if amount_paid > total:
            problems.append(f"invoice {public_id} is overpaid: {amount_paid} of {total}")
        owed = total - amount_paid if status in (InvoiceStatus.OPEN, InvoiceStatus.PAID) else 0
        if receivable[invoice_id] != owed:
            problems.append(f"invoice {public_id} ({status}) has receivable {receivable[invoice_id]} but owes {owed}")
        if status == InvoiceStatus.PAID and amount_paid != total:
            problems.append(f"invoice {public_id} is paid but {total - amount_paid} remains")
    return problems


def _payment_problems() -> list[str]:
    refunded = defaultdict(int)
    for row in (
        Refund.objects.filter(status=RefundStatus.SUCCEEDED.value).values("payment_id").annotate(total=Sum("amount"))
    ):
        refunded[row["payment_id"]] = row["total"]
    allocated = defaultdict(int)
    for row in PaymentAllocation.objects.values("payment_id").annotate(total=Sum("amount")):
        allocated[row["payment_id"]] = row["total"]
    problems = []
    for payment_id, public_id, status, amount, amount_refunded, invoice_id, several in Payment.objects.values_list(
        "pk", "public_id", "status", "amount", "amount_refunded", "invoice_id", "several_invoices"
    ).iterator():
        if amount_refunded != refunded[payment_id]:
            problems.append(f"payment {public_id} says {amount_refunded} refunded but refunds sum to {refunded[payment_id]}")
        if refunded[payment_id] > amount:
            problems.append(f"payment {public_id} refunded {refunded[payment_id]} of {amount}")
        expected_allocation = amount if (status == PaymentStatus.SUCCEEDED and (invoice_id or several)) else 0
        if allocated[payment_id] != expected_allocation:
            problems.append(f"payment {public_id} ({status}) allocates {allocated[payment_id]}, expected {expected_allocation}")
    return problems


def ledger_check() -> dict:
    from paydesk.terms.checks import plan_problems

    problems = _unbalanced_transactions() + _invoice_problems() + _payment_problems() + plan_problems()
    empty_transactions = JournalTransaction.objects.annotate(entry_count=Count("entries")).filter(
        Q(entry_count__lt=2)
    )
    problems += [f"transaction {public_id} has fewer than two entries" for public_id in empty_transactions.values_list("public_id", flat=True)]
    return {
        "balanced": not problems,
        "transactions_checked": JournalTransaction.objects.count(),
        "entries_checked": JournalEntry.objects.count(),
        "invoices_checked": Invoice.objects.count(),
        "payments_checked": Payment.objects.count(),
        "problem_count": len(problems),
        "problems": problems[:MAX_REPORTED_PROBLEMS],
    }
