"""The measured effect of each reminder step: how many reminded invoices were paid soon
after, and how much money came in on them. Read from the reminders sent and the payments'
allocations, so it is always derived, never kept."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from paydesk.businesses.models import Business

from .models import ReminderSent, ReminderStep
from .reminder_policy import reminder_policy_for

# A payment counts for a reminder when it arrives within this long after it.
EFFECT_WINDOW = datetime.timedelta(days=3)


@dataclass
class StepEffect:
    step: ReminderStep
    sent: int = 0
    paid_within_window: int = 0
    # Money received on reminded invoices within the window, per currency (minor units).
    recovered: dict[str, int] = field(default_factory=dict)

    @property
    def paid_percent(self) -> int | None:
        return round(100 * self.paid_within_window / self.sent) if self.sent else None


def reminder_effect(*, business: Business, livemode: bool) -> list[StepEffect]:
    """One row per step of the business's policy, in step order. An invoice paid in part
    counts its money but not as paid; refunds made later are not taken off. Windows of two
    steps can overlap, so one payment may count for both."""
    policy = reminder_policy_for(business=business)
    effects = {step.pk: StepEffect(step=step) for step in policy.steps.all()}
    window_end = F("created") + EFFECT_WINDOW
    rows = (
        ReminderSent.objects.filter(business=business, livemode=livemode, message__isnull=False)
        .values("step_id", "invoice__currency")
        .annotate(
            # Distinct: the join with allocations repeats a reminder once per allocation.
            sent=Count("pk", distinct=True),
            paid=Count(
                "pk", distinct=True, filter=Q(invoice__paid_at__gte=F("created"), invoice__paid_at__lte=window_end)
            ),
            recovered=Sum(
                "invoice__allocations__amount",
                filter=Q(invoice__allocations__created__gte=F("created"), invoice__allocations__created__lte=window_end),
            ),
        )
        .order_by()
    )
    for row in rows:
        effect = effects.get(row["step_id"])
        if effect is None:
            continue
        effect.sent += row["sent"]
        effect.paid_within_window += row["paid"]
        if row["recovered"]:
            currency = row["invoice__currency"]
            effect.recovered[currency] = effect.recovered.get(currency, 0) + row["recovered"]
    return list(effects.values())
