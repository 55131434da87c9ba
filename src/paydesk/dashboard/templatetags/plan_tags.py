"""Words for payment plans in the page's language: statuses, a part's standing, the shape of
a plan ("3 parts, every month").

Kept apart from ``labels`` so the plan pages can grow without touching the shared tables.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from paydesk.terms.enums import PlanInterval, PlanKind

from .. import labels

register = template.Library()

PLAN_STATUS = {
    "requested": _("Waiting for review"),
    "active": _("Running"),
    "paused": _("Paused"),
    "past_due": _("Past due"),
    "completed": _("Paid in full"),
    "canceled": _("Canceled"),
    "declined": _("Declined"),
}

PART_STATUS = {
    "paid": _("Paid"),
    "upcoming": _("Upcoming"),
    "due": _("Due"),
    "past_due": _("Past due"),
    "canceled": _("Not needed"),
}


@register.filter
def plan_status(code: str) -> str:
    return labels.label(PLAN_STATUS, code)


@register.filter
def plan_part_status(code: str) -> str:
    return labels.label(PART_STATUS, code)


def plan_shape_text(kind: str, interval: str, parts: int) -> str:
    """"Pay later, on one date", "3 parts, every month", "4 parts, every week"."""
    if kind == PlanKind.PAY_LATER:
        return str(_("Pay later, on one date"))
    if interval == PlanInterval.WEEK:
        return ngettext("%(count)d part, every week", "%(count)d parts, every week", parts) % {"count": parts}
    return ngettext("%(count)d part, every month", "%(count)d parts, every month", parts) % {"count": parts}


@register.filter
def plan_shape(plan) -> str:
    return plan_shape_text(plan.kind, plan.interval, len(plan.parts.all()))


@register.filter
def card_text(method) -> str:
    """"Visa •••• 4242", or nothing for no card."""
    return f"{method.card_brand.title()} •••• {method.card_last4}" if method is not None else ""
