"""Staff pausing reminders for one invoice or one customer, and a customer's own wishes
(their time zone, no non-essential messages). Each change is made under the row's lock,
so a reminder being sent at that moment either sees it or finished first, and records an
event in the same transaction."""

from __future__ import annotations

from django.db import transaction

from paydesk.core.errors import PaydeskError
from paydesk.customers.models import Customer
from paydesk.invoicing.models import Invoice

from .reminder_rules import zone_named


def _record(*, owner, type: str, data: dict) -> None:
    from paydesk.events.services import event_record

    event_record(business=owner.business, livemode=owner.livemode, type=type, data=data)


@transaction.atomic
def invoice_reminders_pause(*, invoice: Invoice, paused: bool) -> Invoice:
    """Pause (or resume) automatic reminders for this invoice. Steps that fall due while it
    is paused are skipped, not saved up: on resuming, only the latest due step is sent."""
    from paydesk.api.objects import invoice_object

    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("business", "customer").get(pk=invoice.pk)
    if invoice.reminders_paused != paused:
        invoice.reminders_paused = paused
        invoice.save(update_fields=["reminders_paused"])
        _record(
            owner=invoice,
            type="invoice.reminders_paused" if paused else "invoice.reminders_resumed",
            data=invoice_object(invoice),
        )
    return invoice


@transaction.atomic
def customer_reminders_pause(*, customer: Customer, paused: bool) -> Customer:
    """Pause (or resume) automatic reminders for every invoice of this customer."""
    from paydesk.api.objects import customer_object

    customer = Customer.objects.select_for_update(of=("self",)).select_related("business").get(pk=customer.pk)
    if customer.reminders_paused != paused:
        customer.reminders_paused = paused
        customer.save(update_fields=["reminders_paused"])
        _record(
            owner=customer,
            type="customer.reminders_paused" if paused else "customer.reminders_resumed",
            data=customer_object(customer),
        )
    return customer


@transaction.atomic
def customer_reminder_preferences_set(*, customer: Customer, time_zone: str, non_essential_opt_out: bool) -> Customer:
    """Set the customer's time zone (an IANA name, or empty for the business's) and whether
    they opted out of non-essential messages. Refuses an unknown zone."""
    from paydesk.api.objects import customer_object

    if time_zone and zone_named(time_zone) is None:
        raise PaydeskError("time_zone_unknown", "Choose a time zone from the list.", param="time_zone")
    customer = Customer.objects.select_for_update(of=("self",)).select_related("business").get(pk=customer.pk)
    changed = [
        field
        for field, value in (("time_zone", time_zone), ("non_essential_opt_out", non_essential_opt_out))
        if getattr(customer, field) != value
    ]
    if changed:
        customer.time_zone, customer.non_essential_opt_out = time_zone, non_essential_opt_out
        customer.save(update_fields=changed)
        _record(owner=customer, type="customer.updated", data=customer_object(customer))
    return customer
