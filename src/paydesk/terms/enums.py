from enum import StrEnum


class PlanKind(StrEnum):
    INSTALLMENTS = "installments"  # what remains, in parts on a schedule
    PAY_LATER = "pay_later"  # all that remains, on one later date


class PlanInterval(StrEnum):
    WEEK = "week"
    MONTH = "month"


class PlanStatus(StrEnum):
    REQUESTED = "requested"  # the customer asked; staff have not answered yet
    ACTIVE = "active"
    PAUSED = "paused"  # staff paused it: no automatic charges, no reminders
    PAST_DUE = "past_due"  # a part is unpaid past the grace days: reminders resume
    COMPLETED = "completed"  # the invoice is paid
    CANCELED = "canceled"
    DECLINED = "declined"  # staff said no to the customer's request


# Plans that still govern their invoice: at most one per invoice (a database constraint).
LIVE_STATUSES = (PlanStatus.REQUESTED, PlanStatus.ACTIVE, PlanStatus.PAUSED, PlanStatus.PAST_DUE)
# Plans whose parts take payments and whose automatic charges run.
RUNNING_STATUSES = (PlanStatus.ACTIVE, PlanStatus.PAST_DUE)

PLAN_TRANSITIONS: dict[PlanStatus, frozenset[PlanStatus]] = {
    PlanStatus.REQUESTED: frozenset({PlanStatus.ACTIVE, PlanStatus.DECLINED, PlanStatus.CANCELED}),
    PlanStatus.ACTIVE: frozenset({PlanStatus.PAUSED, PlanStatus.PAST_DUE, PlanStatus.COMPLETED, PlanStatus.CANCELED}),
    PlanStatus.PAUSED: frozenset({PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.CANCELED}),
    PlanStatus.PAST_DUE: frozenset({PlanStatus.ACTIVE, PlanStatus.PAUSED, PlanStatus.COMPLETED, PlanStatus.CANCELED}),
    PlanStatus.COMPLETED: frozenset(),
    PlanStatus.CANCELED: frozenset(),
    PlanStatus.DECLINED: frozenset(),
}


class PartStatus(StrEnum):
    """A part's standing, worked out from its amounts and dates (not stored)."""

    PAID = "paid"
    UPCOMING = "upcoming"  # its date is still ahead
    DUE = "due"  # its date came, within the grace days
    PAST_DUE = "past_due"
    CANCELED = "canceled"  # the plan ended before it was paid
