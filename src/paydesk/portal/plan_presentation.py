"""What the hosted invoice page shows of payment plans: the plan the invoice is on (its
schedule and what to pay now), or the offer to pay in parts or later."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from paydesk.core import clock
from paydesk.core.formatting import date_text, money_text
from paydesk.terms.enums import PartStatus, PlanKind
from paydesk.terms.policy import part_counts_offered, why_not_offered
from paydesk.terms.selectors import amount_due_now, live_plan_for, part_status, plan_to_show, policy_for


def part_status_text(status: PartStatus):
    # Lazy: the page is rendered in the customer's language after this runs. With a context,
    # because a part's status agrees with "part" in Russian, not with "invoice".
    return {
        PartStatus.PAID: pgettext_lazy("part of a payment plan", "Paid"),
        PartStatus.UPCOMING: pgettext_lazy("part of a payment plan", "Upcoming"),
        PartStatus.DUE: pgettext_lazy("part of a payment plan", "Due now"),
        PartStatus.PAST_DUE: pgettext_lazy("part of a payment plan", "Overdue"),
        PartStatus.CANCELED: pgettext_lazy("part of a payment plan", "Cancelled"),
    }[status]


def schedule_rows(parts, currency: str, locale: str, statuses=None) -> list[dict]:
    rows = []
    for index, part in enumerate(parts):
        status = statuses[index] if statuses else None
        rows.append(
            {
                "position": index + 1,
                "due_date": date_text(part.due_date, locale),
                "amount": money_text(part.amount, currency, locale),
                "status": status.value if status else "",
                "status_text": part_status_text(status) if status else "",
            }
        )
    return rows


def plan_view(invoice, locale: str) -> dict:
    """The page's ``plan`` (the live plan, if any) and ``plan_offer`` (what may be asked)."""
    plan = plan_to_show(invoice)
    policy = policy_for(invoice.business)
    today = clock.today()
    if plan is None:
        offer = {}
        if invoice.status == "open" and invoice.amount_remaining > 0:
            offer = {
                "installments": not why_not_offered(invoice, policy, PlanKind.INSTALLMENTS, today),
                "pay_later": not why_not_offered(invoice, policy, PlanKind.PAY_LATER, today),
                "most_parts": max(
                    [count for interval in ("month", "week") for count in part_counts_offered(invoice, policy, interval, today)],
                    default=0,
                ),
            }
        return {"plan": None, "plan_offer": offer}
    parts = list(plan.parts.all())
    statuses = [part_status(part, plan, today=today, grace_days=policy.grace_days) for part in parts]
    due_now = amount_due_now(plan, today=today) if plan.status not in ("requested", "completed") else 0
    next_open = next((index for index, part in enumerate(parts) if part.amount_remaining > 0), None)
    return {
        "plan": {
            "status": plan.status,
            "kind": plan.kind,
            "count": len(parts),
            "rows": schedule_rows(parts, plan.currency, locale, statuses),
            "auto_charge": plan.auto_charge,
            "card": f"{plan.saved_method.card_brand.title()} •••• {plan.saved_method.card_last4}" if plan.saved_method else "",
            "staff_message": plan.staff_message,
            "paid": money_text(sum(part.amount_paid for part in parts), plan.currency, locale),
            "amount": money_text(plan.amount, plan.currency, locale),
            "next_position": next_open + 1 if next_open is not None else None,
        },
        "plan_offer": {},
        # The card form and the saved card pay this by default (the whole amount is one
        # "Pay another amount" away).
        "pay_now_minor": due_now or None,
        "pay_now": money_text(due_now, plan.currency, locale) if due_now else "",
    }


def planned_amount(invoice) -> int | None:
    """What a payment on the page takes when the payer names no amount: what is due now on
    the invoice's running plan, or None (all that remains)."""
    plan = live_plan_for(invoice)
    if plan is None or plan.status == "requested":
        return None
    return amount_due_now(plan, today=clock.today()) or None
