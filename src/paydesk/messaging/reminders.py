"""Automated payment reminders: the sweep that finds due steps in the database and sends them.

How a step becomes due, and when it goes out:
- A step is due on ``invoice.due_date + offset_days``, counted in the business's calendar
  (its time zone, at its test clock's time in test mode).
- Only an invoice's *latest* due step is ever sent. Steps whose day passed while nothing
  could be sent (an invoice made already 20 days overdue, reminders paused for a week) are
  skipped for good: the customer gets one reminder that fits today, never a burst.
- A step never goes out inside quiet hours in the customer's time zone; it waits for the
  next sweep after they end.
- One reminder per step per invoice, ever: ``ReminderSent`` is unique per (invoice, step)
  and written in the same transaction as the message, so repeated sweeps and racing
  workers cannot send a step twice. A step sent makes every earlier step moot too.

The sweep is set-based: one query per batch of candidate invoices per business and mode,
which already leaves out what the database can rule out (paid, paused, opted out, already
reminded, customers asleep). Each candidate is then re-checked on its locked row, because
the stop rules hold at send time, not only when the candidate was found.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.invoicing.models import Invoice

from .models import ReminderChannel, ReminderPolicy, ReminderSent, ReminderStep
from .notifications import message_queue
from .reminder_policy import due_step, reminder_policy_for
from .reminder_rules import (
    ReminderOutcome,
    business_today,
    business_zone,
    candidate_filter,
    customer_zone,
    in_quiet_hours,
    quiet_zone_names,
    reminder_stop_reason,
)
from .sms import sms_queue

# Candidates are read in pages of this many, each a fresh query, so a sweep over a million
# invoices never holds a cursor open while it writes.
CANDIDATE_PAGE_SIZE = 1000


def reminders_sweep(*, business=None, livemode: bool | None = None) -> int:
    """Send every reminder that is due; answers how many were sent.

    With ``business``, its invoices in that mode (test mode unless told otherwise) at its
    own time; without, every business and mode that has open invoices with a due date.
    """
    if business is not None:
        return _sweep_business(business, livemode=bool(livemode))
    # Every business in both modes: a handful of rows, where asking which businesses have
    # open invoices would read every open invoice. Each candidate query then uses the
    # open-invoices-by-due-date index and costs next to nothing when nothing is due.
    return sum(
        _sweep_business(business, livemode=mode)
        for business in Business.objects.order_by("pk")
        for mode in (False, True)
    )


def _sweep_business(business: Business, *, livemode: bool) -> int:
    with clock.business_time(business, livemode=livemode):
        policy = reminder_policy_for(business=business)
        if not policy.enabled:
            return 0
        steps = [step for step in policy.steps.all() if step.enabled]
        if not steps:
            return 0
        steps_by_id = {step.pk: step for step in steps}
        sent = 0
        after = None
        while True:
            page = reminder_candidate_page(
                business=business, livemode=livemode, policy=policy, steps=steps, now=clock.now(), after=after
            )
            for invoice_id, step_id, _due_date in page:
                outcome = reminder_send(invoice_id=invoice_id, step=steps_by_id[step_id], steps=steps, policy=policy)
                sent += outcome == ReminderOutcome.SENT
            if len(page) < CANDIDATE_PAGE_SIZE:
                return sent
            after = (page[-1][2], page[-1][0])


def reminder_candidates(**arguments) -> list[tuple[int, int]]:
    """(invoice id, step id) for the first page of candidates (see reminder_candidate_page)."""
    return [(invoice_id, step_id) for invoice_id, step_id, _due_date in reminder_candidate_page(**arguments)]


def reminder_candidate_page(
    *,
    business: Business,
    livemode: bool,
    policy: ReminderPolicy,
    steps: list[ReminderStep],
    now: datetime.datetime,
    after: tuple[datetime.date, int] | None = None,
    limit: int = CANDIDATE_PAGE_SIZE,
) -> list[tuple[int, int, datetime.date]]:
    """(invoice id, step id, due date) for each invoice whose latest due step may be sent
    now, in one query: open, owing, not paused or opted out, customer outside quiet hours,
    and no reminder yet for that step or a later one.

    Pages go in (due date, id) order, after ``after``: the order of the open-invoices-by-
    due-date index, so the database walks only the due part of that index and never the
    whole table (ordering by id alone makes SQLite scan every invoice)."""
    enabled = sorted((step for step in steps if step.enabled), key=lambda step: step.offset_days, reverse=True)
    if not enabled:
        return []
    today = business_today(business, now)

    def day_limit(step: ReminderStep) -> datetime.date:
        return today - datetime.timedelta(days=step.offset_days)

    # The latest step whose day has come: the first match, latest step first.
    latest_step = Case(
        *[When(due_date__lte=day_limit(step), then=Value(step.pk)) for step in enabled], output_field=IntegerField()
    )
    latest_offset = Case(
        *[When(due_date__lte=day_limit(step), then=Value(step.offset_days)) for step in enabled], output_field=IntegerField()
    )
    already_reminded = ReminderSent.objects.filter(invoice=OuterRef("pk")).filter(
        Q(step_id=OuterRef("reminder_step_id")) | Q(offset_days__gte=OuterRef("reminder_offset_days"))
    )
    invoices = Invoice.objects.filter(
        candidate_filter(),
        business=business,
        livemode=livemode,
        # The earliest step's day bounds the due dates worth looking at.
        due_date__lte=day_limit(enabled[-1]),
    )
    if after is not None:
        after_due_date, after_id = after
        invoices = invoices.filter(Q(due_date__gt=after_due_date) | Q(due_date=after_due_date, pk__gt=after_id))
    quiet_zones = quiet_zone_names(now, start_hour=policy.quiet_start_hour, end_hour=policy.quiet_end_hour)
    if quiet_zones:
        invoices = invoices.exclude(customer__time_zone__in=quiet_zones)
        if business_zone(business).key in quiet_zones:
            invoices = invoices.exclude(customer__time_zone="")
    return list(
        invoices.annotate(reminder_step_id=latest_step, reminder_offset_days=latest_offset)
        .filter(~Exists(already_reminded))
        .order_by("due_date", "pk")
        .values_list("pk", "reminder_step_id", "due_date")[:limit]
    )


def reminder_send(*, invoice_id: int, step: ReminderStep, steps: list[ReminderStep], policy: ReminderPolicy) -> ReminderOutcome:
    """Send ``step`` for the invoice if, on its locked row, it is still the latest due step,
    no stop rule holds, it was not sent before and the customer is not in quiet hours.
    Answers what happened; only SENT and UNREACHABLE spend the step."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self", "customer"))
            .select_related("business", "customer")
            .get(pk=invoice_id)
        )
        now = clock.now()
        current = due_step(steps, due_date=invoice.due_date, today=business_today(invoice.business, now))
        if current is None or current.pk != step.pk:
            return ReminderOutcome.NOT_DUE
        stop_reason = reminder_stop_reason(invoice)
        if stop_reason is not None:
            return stop_reason
        if ReminderSent.objects.filter(invoice=invoice).filter(Q(step=step) | Q(offset_days__gte=step.offset_days)).exists():
            return ReminderOutcome.ALREADY_SENT
        zone = customer_zone(invoice.customer, invoice.business)
        if in_quiet_hours(now, zone, start_hour=policy.quiet_start_hour, end_hour=policy.quiet_end_hour):
            return ReminderOutcome.QUIET_HOURS
        try:
            with transaction.atomic():
                reminder = ReminderSent.objects.create(
                    business=invoice.business,
                    livemode=invoice.livemode,
                    invoice=invoice,
                    step=step,
                    offset_days=step.offset_days,
                    template=step.template,
                    created=now,
                )
        except IntegrityError:  # another worker sent it a moment ago
            return ReminderOutcome.ALREADY_SENT
        message = _queue(invoice=invoice, step=step)
        if message is None:
            return ReminderOutcome.UNREACHABLE
        reminder.message, reminder.channel = message, message.channel
        reminder.save(update_fields=["message", "channel"])
        from paydesk.api.objects import invoice_object
        from paydesk.events.services import event_record

        event_record(
            business=invoice.business, livemode=invoice.livemode, type="invoice.reminder_sent", data=invoice_object(invoice)
        )
        return ReminderOutcome.SENT


def _queue(*, invoice: Invoice, step: ReminderStep):
    """The step's message on the customer's own channel for reminders when they chose one
    (portal → preferences), else on the step's: by SMS when that is SMS and there is a phone
    number, else by email; None when the customer has neither."""
    dedupe_key = f"reminder:{invoice.public_id}:{step.pk}"
    chosen = (invoice.customer.channel_preferences or {}).get("reminders")
    channel = chosen if chosen in ReminderChannel.values else step.channel
    if channel == ReminderChannel.SMS:
        message = sms_queue(invoice=invoice, template=step.template, dedupe_key=dedupe_key)
        if message is not None:
            return message
    return message_queue(invoice=invoice, template=step.template, dedupe_key=dedupe_key)
