"""The plans' part of ``paydesk ledger check``: parts agree with their allocations, with
their plan, and (while a plan runs) with what remains on its invoice."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from .enums import PlanStatus
from .models import PartAllocation, PaymentPlan, PlanPart

_STARTED_AND_LIVE = (PlanStatus.ACTIVE.value, PlanStatus.PAUSED.value, PlanStatus.PAST_DUE.value)


def plan_problems() -> list[str]:
    allocated = defaultdict(int)
    for row in PartAllocation.objects.values("part_id").annotate(total=Sum("amount")):
        allocated[row["part_id"]] = row["total"]
    problems = []
    part_sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for part_id, plan_id, position, amount, amount_paid in PlanPart.objects.values_list(
        "pk", "plan_id", "position", "amount", "amount_paid"
    ).iterator():
        if amount_paid != allocated[part_id]:
            problems.append(f"plan part {plan_id}/{position} says {amount_paid} paid but allocations sum to {allocated[part_id]}")
        part_sums[plan_id][0] += amount
        part_sums[plan_id][1] += amount - amount_paid
    plans = PaymentPlan.objects.values_list(
        "pk", "public_id", "status", "amount", "invoice__total", "invoice__amount_paid"
    ).iterator()
    for plan_id, public_id, status, amount, invoice_total, invoice_paid in plans:
        parts_total, parts_remaining = part_sums[plan_id]
        if parts_total != amount:
            problems.append(f"plan {public_id} covers {amount} but its parts sum to {parts_total}")
        if status in _STARTED_AND_LIVE and parts_remaining != invoice_total - invoice_paid:
            problems.append(
                f"plan {public_id} ({status}) has {parts_remaining} left on its parts but its invoice owes {invoice_total - invoice_paid}"
            )
    return problems
