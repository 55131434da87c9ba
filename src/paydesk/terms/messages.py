"""What a plan's emails say: its schedule, and the part a notice is about, in the
customer's language (a snapshot, like every message)."""

from __future__ import annotations

from paydesk.core.formatting import date_text, money_text
from paydesk.messaging.notifications import message_queue


def _card_text(method) -> str:
    return f"{method.card_brand.title()} •••• {method.card_last4}" if method is not None else ""


def plan_context(plan, part=None):
    """A function of the locale answering the plan's part of a message's snapshot."""

    def build(locale: str) -> dict:
        parts = list(plan.parts.all())
        context = {
            "plan": {
                "kind": plan.kind,
                "count": len(parts),
                "auto_charge": plan.auto_charge,
                "card": _card_text(plan.saved_method),
                "amount": money_text(plan.amount, plan.currency, locale),
                "staff_message": plan.staff_message,
                "parts": [
                    {
                        "position": each.position,
                        "due_date": date_text(each.due_date, locale),
                        "amount": money_text(each.amount, plan.currency, locale),
                        "paid": each.amount_paid >= each.amount,
                    }
                    for each in parts
                ],
            }
        }
        if part is not None:
            context["part"] = {
                "position": part.position,
                "due_date": date_text(part.due_date, locale),
                "amount": money_text(part.amount_remaining, plan.currency, locale),
            }
        return context

    return build


def plan_message(plan, invoice, template: str, *, dedupe_key: str, part=None, payment=None):
    return message_queue(
        invoice=invoice, template=template, dedupe_key=dedupe_key, payment=payment, extra=plan_context(plan, part)
    )
