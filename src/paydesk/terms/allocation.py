"""A payment on an invoice with a running plan pays its parts, oldest open part first; one
payment may pay several parts. Called by the payment service under the invoice's row lock,
in the payment's transaction, so parts and invoice always agree.
"""

from __future__ import annotations

from paydesk.core import clock

from .enums import PlanStatus
from .models import PartAllocation, PaymentPlan

# Plans whose parts take payments: running or paused (a payment while paused still counts).
_TAKING_PAYMENTS = (PlanStatus.ACTIVE.value, PlanStatus.PAUSED.value, PlanStatus.PAST_DUE.value)


def plan_allocate_payment(payment, invoice, amount: int) -> None:
    """Spread ``amount`` of ``payment`` (all of it, or its share of this invoice when it pays
    several) over the open parts of the invoice's plan, if it has one."""
    plan = (
        PaymentPlan.objects.select_for_update(of=("self",))
        .select_related("business", "customer")
        .filter(invoice=invoice, status__in=_TAKING_PAYMENTS)
        .first()
    )
    if plan is None:
        return
    left, now = amount, clock.now()
    for part in plan.parts.all():
        if left == 0:
            break
        taken = min(left, part.amount_remaining)
        if taken <= 0:
            continue
        part.amount_paid += taken
        if part.amount_paid == part.amount:
            part.paid_at = now
        part.save(update_fields=["amount_paid", "paid_at"])
        PartAllocation.objects.create(payment=payment, part=part, amount=taken, created=now)
        left -= taken
    # The plan covers all that remained when it started, and every payment since went to
    # its parts, so the payment service's own check (no overpayment) bounds this too.
    assert left == 0, (plan.public_id, left)
    if plan.auto_charge and plan.saved_method_id is None and payment.saved_method_id is not None:
        # The customer agreed to automatic charges and has just saved the card they paid with.
        plan.saved_method_id = payment.saved_method_id
        plan.save(update_fields=["saved_method"])
    _after_payment(plan, invoice)


def _after_payment(plan: PaymentPlan, invoice) -> None:
    from .selectors import part_status, policy_for
    from .services import _end, _move, _set_due_date, plan_record

    parts = list(plan.parts.all())
    if all(part.amount_remaining == 0 for part in parts):
        _end(plan, PlanStatus.COMPLETED)
        plan_record(plan, "payment_plan.completed")
        return
    if plan.status == PlanStatus.PAST_DUE:
        grace = policy_for(plan.business).grace_days
        today = clock.today()
        if not any(part_status(part, plan, today=today, grace_days=grace) == "past_due" for part in parts):
            _move(plan, PlanStatus.ACTIVE)  # caught up: back on track
            plan.save(update_fields=["status"])
            _set_due_date(invoice, parts[-1].due_date)
            plan_record(plan, "payment_plan.activated")
            return
    plan_record(plan, "payment_plan.updated")
