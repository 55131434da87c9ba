"""When a reminder must not go out: the stop rules, and quiet hours in the customer's zone.

Each rule is written twice on purpose, and the two are kept side by side here:
``candidate_filter()`` narrows the sweep's one query (so a paused customer's thousand invoices
are never loaded), and ``reminder_stop_reason`` re-checks every rule on the locked invoice
at send time, because anything can change between the query and the send. The query is an
optimisation; the send-time check is the rule.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from enum import StrEnum

from django.db.models import F, Q

from paydesk.invoicing.enums import InvoiceStatus


class ReminderOutcome(StrEnum):
    """What happened to one due step of one invoice at one sweep."""

    SENT = "sent"
    UNREACHABLE = "unreachable"  # no address for any channel: the step is spent
    NOT_DUE = "not_due"  # no longer this invoice's latest due step
    ALREADY_SENT = "already_sent"
    QUIET_HOURS = "quiet_hours"  # waits for the morning in the customer's zone
    # The stop rules.
    INVOICE_NOT_OPEN = "invoice_not_open"  # paid, void or written off
    NOTHING_OWED = "nothing_owed"
    INVOICE_PAUSED = "invoice_paused"
    CUSTOMER_PAUSED = "customer_paused"
    CUSTOMER_OPTED_OUT = "customer_opted_out"
    CHARGED_AUTOMATICALLY = "charged_automatically"
    ON_PAYMENT_PLAN = "on_payment_plan"
    DISPUTED = "disputed"
    OPEN_SUPPORT_REQUEST = "open_support_request"


def _automatic_charge_pending_statuses() -> tuple[str, ...]:
    # Imported here: payments already depends on messaging for its notices.
    from paydesk.payments.models import AutomaticCharge

    return (AutomaticCharge.Status.SCHEDULED, AutomaticCharge.Status.RETRYING)


def candidate_filter() -> Q:
    """The rules the database can answer, as a filter on invoices (paired with
    ``reminder_stop_reason`` below)."""
    return (
        Q(status=InvoiceStatus.OPEN.value)
        & Q(amount_paid__lt=F("total"))
        & Q(reminders_paused=False)
        & Q(customer__reminders_paused=False)
        & Q(customer__non_essential_opt_out=False)
        & ~Q(pk__in=_invoices_charged_automatically())
        & ~Q(pk__in=_invoices_resting_on_plans())
        & ~Q(pk__in=_invoices_with_open_support_requests())
    )


def _invoices_charged_automatically():
    from paydesk.payments.models import AutomaticCharge

    return AutomaticCharge.objects.filter(
        plan_part=None, status__in=_automatic_charge_pending_statuses()
    ).values("invoice_id")


def _invoices_resting_on_plans():
    from paydesk.terms.selectors import plans_holding_reminders

    return plans_holding_reminders().values("invoice_id")


def _invoices_with_open_support_requests():
    from paydesk.support.selectors import requests_holding_reminders

    return requests_holding_reminders().values("invoice_id")


def invoice_charged_automatically(invoice) -> bool:
    """True while the invoice's saved card is still to be charged (scheduled, or between
    retries): the charge's own notices (coming charge, failed try) replace reminders. Once it
    needs the customer or has run out of tries, reminders take over again."""
    from paydesk.payments.models import AutomaticCharge

    return AutomaticCharge.objects.filter(
        invoice=invoice, plan_part=None, status__in=_automatic_charge_pending_statuses()
    ).exists()


def invoice_on_active_payment_plan(invoice) -> bool:
    """True while the invoice rests on a plan in good standing (asked for, running or
    paused): the plan's own notices replace reminders. A plan past due lets them resume, and
    "pay later" moved the due date itself, so reminders follow the new date."""
    from paydesk.terms.selectors import plans_holding_reminders

    return plans_holding_reminders().filter(invoice=invoice).exists()


# Hooks for the domains still to come. Each answers False until its issue plugs in; when one
# does, it should also narrow candidate_filter() so stopped invoices are not loaded each sweep.


def invoice_disputed(invoice) -> bool:
    """True while a payment of the invoice is disputed. Disputes do not exist yet."""
    return False


def invoice_has_open_support_request(invoice) -> bool:
    """True while the customer has an open support request about the invoice: staff answer
    them first, and a reminder meanwhile would read as if nobody listened. Closing the
    request lets reminders go out again."""
    from paydesk.support.selectors import requests_holding_reminders

    return requests_holding_reminders().filter(invoice=invoice).exists()


def reminder_stop_reason(invoice) -> ReminderOutcome | None:
    """The first stop rule that holds for ``invoice`` (with its customer loaded), or None
    when a reminder may go out. Called at send time, on the locked invoice row."""
    customer = invoice.customer
    checks = (
        (invoice.status != InvoiceStatus.OPEN, ReminderOutcome.INVOICE_NOT_OPEN),
        (invoice.amount_remaining <= 0, ReminderOutcome.NOTHING_OWED),
        (invoice.reminders_paused, ReminderOutcome.INVOICE_PAUSED),
        (customer.reminders_paused, ReminderOutcome.CUSTOMER_PAUSED),
        (customer.non_essential_opt_out, ReminderOutcome.CUSTOMER_OPTED_OUT),
    )
    for holds, outcome in checks:
        if holds:
            return outcome
    # Those that ask other tables last.
    hooks = (
        (invoice_charged_automatically, ReminderOutcome.CHARGED_AUTOMATICALLY),
        (invoice_on_active_payment_plan, ReminderOutcome.ON_PAYMENT_PLAN),
        (invoice_disputed, ReminderOutcome.DISPUTED),
        (invoice_has_open_support_request, ReminderOutcome.OPEN_SUPPORT_REQUEST),
    )
    for hook, outcome in hooks:
        if hook(invoice):
            return outcome
    return None


# ---- Time zones and quiet hours ----


@functools.cache
def known_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_named(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone with that IANA name, or None for an empty or unknown name."""
    if not name or name not in known_zone_names():
        return None
    return zoneinfo.ZoneInfo(name)


def business_zone(business) -> zoneinfo.ZoneInfo:
    return zone_named(business.time_zone) or zoneinfo.ZoneInfo("UTC")


def customer_zone(customer, business) -> zoneinfo.ZoneInfo:
    """The customer's own zone, else the business's."""
    return zone_named(customer.time_zone) or business_zone(business)


def business_today(business, moment: datetime.datetime) -> datetime.date:
    """The business's calendar day at ``moment``: the day reminder steps are counted in."""
    return moment.astimezone(business_zone(business)).date()


def hour_is_quiet(hour: int, *, start_hour: int, end_hour: int) -> bool:
    """Whether ``hour`` (0–23) falls in quiet hours from ``start_hour`` up to ``end_hour``;
    a start after the end wraps past midnight, and equal hours mean no quiet hours."""
    if start_hour == end_hour:
        return False
    if start_hour < end_hour:
        return start_hour <= hour < end_hour
    return hour >= start_hour or hour < end_hour


def in_quiet_hours(moment: datetime.datetime, zone: zoneinfo.ZoneInfo, *, start_hour: int, end_hour: int) -> bool:
    return hour_is_quiet(moment.astimezone(zone).hour, start_hour=start_hour, end_hour=end_hour)


# Every zone in use today is offset from UTC by a whole multiple of 15 minutes, so within one
# quarter hour of UTC each zone's local hour is fixed and the answer can be shared.
_QUARTER_HOUR_SECONDS = 15 * 60


def quiet_zone_names(moment: datetime.datetime, *, start_hour: int, end_hour: int) -> frozenset[str]:
    """The names of every zone that is inside quiet hours at ``moment``."""
    seconds = int(moment.timestamp())
    quarter_start = seconds - seconds % _QUARTER_HOUR_SECONDS
    return _quiet_zone_names(quarter_start, start_hour, end_hour)


@functools.lru_cache(maxsize=128)
def _quiet_zone_names(quarter_start_seconds: int, start_hour: int, end_hour: int) -> frozenset[str]:
    if start_hour == end_hour:
        return frozenset()
    moment = datetime.datetime.fromtimestamp(quarter_start_seconds, tz=datetime.timezone.utc)
    return frozenset(
        name
        for name in known_zone_names()
        if in_quiet_hours(moment, zoneinfo.ZoneInfo(name), start_hour=start_hour, end_hour=end_hour)
    )
