"""A plan's schedule: which dates, which amounts. Pure: numbers and dates in, parts out.

The parts always add up exactly to the amount. An even split leaves a remainder of fewer
minor units than there are parts; all of it goes on the first split part, so every later
part is the same round amount and the customer sees one odd figure, not several.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from .enums import PlanInterval


@dataclass(frozen=True)
class ScheduledPart:
    due_date: datetime.date
    amount: int


def add_months(start: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or that month's last day when it is shorter (31 January
    plus one month is 28 or 29 February; plus two months, 31 March again)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def part_date(start: datetime.date, interval: PlanInterval, index: int) -> datetime.date:
    """The due date of the part ``index`` intervals after ``start``."""
    if interval == PlanInterval.WEEK:
        return start + datetime.timedelta(weeks=index)
    return add_months(start, index)


def split_evenly(amount: int, count: int) -> list[int]:
    """``amount`` in ``count`` parts that differ only by the remainder on the first."""
    base, remainder = divmod(amount, count)
    return [base + remainder] + [base] * (count - 1)


def plan_schedule(
    *, amount: int, parts: int, interval: PlanInterval, start_date: datetime.date, deposit_amount: int = 0
) -> list[ScheduledPart]:
    """``amount`` in ``parts`` parts, the first due on ``start_date`` and one each interval
    after. With a deposit, the first part is the deposit and the rest is split over the other
    parts. The caller has checked the inputs (``schedule_problem``)."""
    problem = schedule_problem(amount=amount, parts=parts, deposit_amount=deposit_amount)
    if problem:
        raise ValueError(problem)
    interval = PlanInterval(interval)
    if deposit_amount:
        amounts = [deposit_amount, *split_evenly(amount - deposit_amount, parts - 1)]
    else:
        amounts = split_evenly(amount, parts)
    return [ScheduledPart(part_date(start_date, interval, index), part) for index, part in enumerate(amounts)]


def schedule_problem(*, amount: int, parts: int, deposit_amount: int = 0) -> str:
    """Why these numbers make no schedule (a code), or "" when they do."""
    if amount <= 0:
        return "nothing_owed"
    if parts < 1:
        return "installments_invalid"
    if deposit_amount < 0:
        return "deposit_invalid"
    if deposit_amount:
        if parts < 2 or deposit_amount >= amount:
            return "deposit_invalid"
        if amount - deposit_amount < parts - 1:
            return "installments_too_small"
    elif amount < parts:
        return "installments_too_small"
    return ""
