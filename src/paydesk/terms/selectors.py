"""Reads of plans: the plan that governs an invoice, each part's standing, what is due now."""

from __future__ import annotations

import datetime

from paydesk.core.errors import NotFound

from .enums import LIVE_STATUSES, PartStatus, PlanStatus
from .models import PaymentPlan, PlanPart, PlanPolicy


def policy_for(business) -> PlanPolicy:
    """The business's plan policy; an unsaved one with the defaults (plans off) if never set."""
    policy = PlanPolicy.objects.filter(business=business).first()
    return policy if policy is not None else PlanPolicy(business=business)


def live_plan_for(invoice) -> PaymentPlan | None:
    """The plan that governs the invoice now (asked for, running or paused), or None."""
    return (
        PaymentPlan.objects.filter(invoice=invoice, status__in=[status.value for status in LIVE_STATUSES])
        .prefetch_related("parts")
        .first()
    )


def plan_to_show(invoice) -> PaymentPlan | None:
    """The plan a customer page shows: the live one, else the one that was completed."""
    return live_plan_for(invoice) or (
        PaymentPlan.objects.filter(invoice=invoice, status=PlanStatus.COMPLETED.value)
        .prefetch_related("parts")
        .order_by("-pk")
        .first()
    )


def plans_holding_reminders():
    """Plans under which the invoice gets no reminders (``messaging.reminder_rules``)."""
    from django.db.models import Q

    return PaymentPlan.objects.filter(
        Q(status__in=(PlanStatus.REQUESTED.value, PlanStatus.PAUSED.value))
        | Q(status=PlanStatus.ACTIVE.value, kind="installments")
    )


def plan_get(*, business, livemode: bool, public_id: str) -> PaymentPlan:
    plan = (
        PaymentPlan.objects.select_related("invoice", "customer", "saved_method", "business")
        .prefetch_related("parts")
        .filter(business=business, livemode=livemode, public_id=public_id)
        .first()
    )
    if plan is None:
        raise NotFound("payment_plan", public_id)
    return plan


def part_status(part: PlanPart, plan: PaymentPlan, *, today: datetime.date, grace_days: int) -> PartStatus:
    if part.amount_paid >= part.amount:
        return PartStatus.PAID
    if plan.status in (PlanStatus.CANCELED, PlanStatus.DECLINED, PlanStatus.COMPLETED):
        return PartStatus.CANCELED
    if part.due_date > today:
        return PartStatus.UPCOMING
    if part.due_date + datetime.timedelta(days=grace_days) >= today:
        return PartStatus.DUE
    return PartStatus.PAST_DUE


def first_open_part(plan: PaymentPlan) -> PlanPart | None:
    return next((part for part in plan.parts.all() if part.amount_remaining > 0), None)


def amount_due_now(plan: PaymentPlan, *, today: datetime.date) -> int:
    """What the customer should pay today to be up to date: every part due by today, or the
    next part when none is due yet (paying early is always welcome)."""
    open_parts = [part for part in plan.parts.all() if part.amount_remaining > 0]
    due = sum(part.amount_remaining for part in open_parts if part.due_date <= today)
    if due:
        return due
    return open_parts[0].amount_remaining if open_parts else 0
