"""The overview's figures: read-only aggregates over one business's invoices and payments.

Sums are grouped by currency, because a business may bill in several and two currencies
are never added together.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Sum

from paydesk.core import clock
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.models import Invoice
from paydesk.payments.enums import PaymentStatus
from paydesk.payments.models import Payment
from paydesk.terms.enums import PlanStatus
from paydesk.terms.models import PaymentPlan

LATEST_PAYMENTS = 10


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    amount: int
    count: int


def _start_of_today() -> datetime.datetime:
    return datetime.datetime.combine(clock.today(), datetime.time.min, tzinfo=datetime.timezone.utc)


_REMAINING = F("total") - F("amount_paid")


def _totals(rows, amount) -> list[CurrencyTotal]:
    grouped = rows.values("currency").annotate(amount=Sum(amount), count=Count("id")).order_by("currency")
    return [CurrencyTotal(row["currency"], int(row["amount"] or 0), row["count"]) for row in grouped]


def payments_today(*, business, livemode: bool) -> list[CurrencyTotal]:
    """Payments that succeeded since midnight UTC, at their full amount (refunds are not subtracted)."""
    succeeded = Payment.objects.filter(
        business=business,
        livemode=livemode,
        status=PaymentStatus.SUCCEEDED,
        succeeded_at__gte=_start_of_today(),
    )
    return _totals(succeeded, "amount")


def open_invoices(*, business, livemode: bool):
    return Invoice.objects.filter(business=business, livemode=livemode, status=InvoiceStatus.OPEN)


def open_totals(*, business, livemode: bool) -> list[CurrencyTotal]:
    """What customers still owe on open invoices."""
    return _totals(open_invoices(business=business, livemode=livemode), _REMAINING)


def overdue_totals(*, business, livemode: bool) -> list[CurrencyTotal]:
    """What is still owed on open invoices whose due date has passed."""
    overdue = open_invoices(business=business, livemode=livemode).filter(due_date__lt=clock.today())
    return _totals(overdue, _REMAINING)


def latest_payments(*, business, livemode: bool):
    return (
        Payment.objects.filter(business=business, livemode=livemode)
        .select_related("invoice", "customer")
        .order_by("-id")[:LATEST_PAYMENTS]
    )


def plan_requests_waiting(*, business, livemode: bool) -> int:
    """Customers' requests for a payment plan that wait for staff to answer."""
    return PaymentPlan.objects.filter(business=business, livemode=livemode, status=PlanStatus.REQUESTED.value).count()
