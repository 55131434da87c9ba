"""What a customer may ask for on their own, under the business's plan policy.

Staff and the API may set any plan that makes sense (``terms.services``); these rules only
bound what the hosted page offers and what is started without a person looking at it.
"""

from __future__ import annotations

import datetime

from paydesk.core.errors import PaydeskError
from paydesk.invoicing.enums import InvoiceStatus

from .enums import LIVE_STATUSES, PlanInterval, PlanKind, PlanStatus
from .models import PaymentPlan, PlanPolicy
from .schedule import ScheduledPart, part_date, plan_schedule


def customer_in_good_standing(customer) -> bool:
    """No debt written off and no plan of theirs behind: the customer has kept their word."""
    if customer.invoices.filter(status=InvoiceStatus.UNCOLLECTIBLE.value).exists():
        return False
    return not PaymentPlan.objects.filter(customer=customer, status=PlanStatus.PAST_DUE.value).exists()


def why_not_offered(invoice, policy: PlanPolicy, kind: PlanKind, today: datetime.date) -> str:
    """Why the customer cannot ask for this kind of plan on this invoice (a code), or ""."""
    enabled = policy.plans_enabled if kind == PlanKind.INSTALLMENTS else policy.pay_later_enabled
    if not enabled:
        return "plans_disabled"
    if invoice.status != InvoiceStatus.OPEN or invoice.amount_remaining <= 0:
        return "invoice_not_open"
    if invoice.payment_link_id is not None:
        return "plans_disabled"  # a payment-link payer is not a known customer
    if invoice.total < policy.minimum_total:
        return "invoice_too_small"
    if PaymentPlan.objects.filter(invoice=invoice, status__in=[status.value for status in LIVE_STATUSES]).exists():
        return "plan_exists"
    if policy.require_good_standing and not customer_in_good_standing(invoice.customer):
        return "customer_not_in_good_standing"
    if kind == PlanKind.INSTALLMENTS and not any(
        part_counts_offered(invoice, policy, interval, today) for interval in PlanInterval
    ):
        return "invoice_too_small"
    return ""


def deposit_for(amount: int, policy: PlanPolicy) -> int:
    """The deposit the policy asks for: its percentage of ``amount``, rounded up."""
    if not policy.deposit_percent:
        return 0
    return -(-amount * policy.deposit_percent // 100)


def customer_schedule(
    invoice, policy: PlanPolicy, *, parts: int, interval: PlanInterval, today: datetime.date
) -> list[ScheduledPart] | None:
    """The schedule a customer gets for ``parts`` parts from today, or None when the policy
    does not allow it (too many parts, too long, a part too small)."""
    remaining = invoice.amount_remaining
    if not 2 <= parts <= policy.max_installments:
        return None
    if (part_date(today, interval, parts - 1) - today).days > policy.longest_span_days:
        return None
    deposit = deposit_for(remaining, policy)
    if deposit and (deposit >= remaining or remaining - deposit < parts - 1):
        return None
    if not deposit and remaining < parts:
        return None
    schedule = plan_schedule(amount=remaining, parts=parts, interval=interval, start_date=today, deposit_amount=deposit)
    if min(part.amount for part in schedule) < policy.smallest_part:
        return None
    return schedule


def part_counts_offered(invoice, policy: PlanPolicy, interval: PlanInterval, today: datetime.date) -> list[int]:
    return [
        parts
        for parts in range(2, policy.max_installments + 1)
        if customer_schedule(invoice, policy, parts=parts, interval=interval, today=today) is not None
    ]


def pay_later_latest(invoice, policy: PlanPolicy, today: datetime.date) -> datetime.date:
    """The latest date the customer may move payment to: the policy's days past the due date
    (or past today, for an invoice already overdue or with no due date)."""
    start = max(invoice.due_date or today, today)
    return start + datetime.timedelta(days=policy.pay_later_max_days)


def check_pay_later_date(invoice, policy: PlanPolicy, chosen: datetime.date, today: datetime.date) -> None:
    earliest = max(invoice.due_date or today, today) + datetime.timedelta(days=1)
    latest = pay_later_latest(invoice, policy, today)
    if not earliest <= chosen <= latest:
        raise PaydeskError(
            "date_outside_policy",
            f"Choose a date from {earliest.isoformat()} to {latest.isoformat()}.",
            param="pay_later_date",
        )
