"""What the dashboard shows of a payment plan: each part's standing, what is paid, the next
part. Read-only; shared by the plan pages and the invoice page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from paydesk.terms.enums import PlanStatus
from paydesk.terms.models import PaymentPlan, PlanPart
from paydesk.terms.selectors import first_open_part, part_status

# Plans that take payments on their schedule now (paused ones still do, without charges).
UNDERWAY_STATUSES = (PlanStatus.ACTIVE.value, PlanStatus.PAUSED.value, PlanStatus.PAST_DUE.value)
ENDED_STATUSES = (PlanStatus.COMPLETED.value, PlanStatus.CANCELED.value, PlanStatus.DECLINED.value)


@dataclass(frozen=True)
class ScheduleRow:
    part: PlanPart
    status: str


@dataclass(frozen=True)
class PlanProgress:
    plan: PaymentPlan
    schedule: list[ScheduleRow]
    paid: int
    next_part: PlanPart | None

    @property
    def remaining(self) -> int:
        return self.plan.amount - self.paid

    @property
    def first_date(self) -> datetime.date:
        return self.schedule[0].part.due_date

    @property
    def last_date(self) -> datetime.date:
        return self.schedule[-1].part.due_date


def plan_progress(plan: PaymentPlan, *, grace_days: int, today: datetime.date) -> PlanProgress:
    """The plan's parts with their standing on ``today``; uses the plan's prefetched parts."""
    parts = list(plan.parts.all())
    schedule = [ScheduleRow(part, part_status(part, plan, today=today, grace_days=grace_days).value) for part in parts]
    # An ended plan has no next part to pay, even if one was left unpaid.
    next_part = first_open_part(plan) if plan.status in UNDERWAY_STATUSES else None
    paid = sum(part.amount_paid for part in parts)
    assert 0 <= paid <= plan.amount, (plan.public_id, paid, plan.amount)
    return PlanProgress(plan=plan, schedule=schedule, paid=paid, next_part=next_part)


def underway_order(progress: PlanProgress) -> tuple:
    """Past-due plans first, then by the date of the next part, soonest first."""
    next_date = progress.next_part.due_date if progress.next_part else datetime.date.max
    return (progress.plan.status != PlanStatus.PAST_DUE, next_date, progress.plan.pk)
