"""Every write to customers."""

from __future__ import annotations

from django.db import transaction

from paydesk.api.objects import customer_object
from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.businesses.models import Business
from paydesk.events.services import event_record

from .models import Customer

_UNSET = object()


@transaction.atomic
def customer_create(
    *,
    business: Business,
    livemode: bool,
    name: str = "",
    email: str = "",
    phone: str = "",
    preferred_locales: list[str] | None = None,
) -> Customer:
    customer = Customer.objects.create(
        business=business,
        livemode=livemode,
        name=name,
        email=email,
        phone=phone,
        preferred_locales=list(preferred_locales or []),
    )
    event_record(
        business=business,
        livemode=livemode,
        type="customer.created",
        data=customer_object(customer),
    )
    return customer


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    name=_UNSET,
    email=_UNSET,
    phone=_UNSET,
    preferred_locales=_UNSET,
    time_zone=_UNSET,
    non_essential_opt_out=_UNSET,
    postal_code=_UNSET,
) -> Customer:
    """Change only the fields given; records ``customer.updated`` when anything changed.

    Refuses a time zone that is not an IANA name ("Europe/Moscow"); "" means the business's.
    """
    if time_zone is not _UNSET and time_zone:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise PaydeskError("time_zone_invalid", "Unknown time zone; use a name like Europe/Moscow.", param="time_zone") from None
    customer = Customer.objects.select_for_update(of=("self",)).get(pk=customer.pk)
    changes = {
        "name": name,
        "email": email,
        "phone": phone,
        "preferred_locales": preferred_locales,
        "time_zone": time_zone,
        "non_essential_opt_out": non_essential_opt_out,
        "postal_code": postal_code,
    }
    changed = []
    for field, value in changes.items():
        if value is _UNSET:
            continue
        if field == "preferred_locales":
            value = list(value or [])
        if getattr(customer, field) != value:
            setattr(customer, field, value)
            changed.append(field)
    if changed:
        customer.save(update_fields=changed)
        event_record(
            business=customer.business,
            livemode=customer.livemode,
            type="customer.updated",
            data=customer_object(customer),
        )
    return customer


# The kinds of message a customer picks a channel for (portal → preferences).
MESSAGE_KINDS = ("reminders", "notices", "charges")
CHANNELS = ("email", "sms")


@transaction.atomic
def customer_preferences_set(
    *,
    customers: list[Customer],
    locale: str,
    channels: dict[str, str],
    notify_every_charge: bool,
    monthly_spending_limit: int | None,
    non_essential_opt_out: bool,
    spending_limit_currency: str = "",
) -> list[Customer]:
    """Set a customer's own choices on every record given (a portal visit may open several
    records of one person), all or none; records ``customer.updated`` for each record that
    changed.

    Refuses a language Paydesk does not speak, a kind of message or channel it does not
    know, and a spending limit that is not a positive whole number of minor units. Texts
    to a record without a phone number go by email when sent; the choice is kept.
    """
    from paydesk.core.locales import SUPPORTED_LOCALES
    from paydesk.core.money import MAX_AMOUNT_MINOR

    if locale not in SUPPORTED_LOCALES:
        raise PaydeskError("locale_invalid", "Choose English or Russian.", param="locale")
    for kind, channel in channels.items():
        if kind not in MESSAGE_KINDS or channel not in CHANNELS:
            raise PaydeskError("channel_invalid", f"Unknown channel '{channel}' for '{kind}'.", param="channels")
    if monthly_spending_limit is not None and not (
        isinstance(monthly_spending_limit, int) and 0 < monthly_spending_limit <= MAX_AMOUNT_MINOR
    ):
        raise PaydeskError(
            "amount_invalid", "The limit must be a positive whole number of minor units.", param="monthly_spending_limit"
        )
    locked = list(
        Customer.objects.select_for_update(of=("self",))
        .select_related("business")
        .filter(pk__in=[customer.pk for customer in customers])
        .order_by("pk")
    )
    for customer in locked:
        wanted = {
            # The chosen language first; other languages the record lists stay behind it.
            "preferred_locales": [locale] + [other for other in customer.preferred_locales or [] if other != locale],
            "channel_preferences": {**(customer.channel_preferences or {}), **channels},
            "notify_every_charge": bool(notify_every_charge),
            "monthly_spending_limit": monthly_spending_limit,
            "monthly_spending_limit_currency": spending_limit_currency if monthly_spending_limit is not None else "",
            "non_essential_opt_out": bool(non_essential_opt_out),
        }
        changed = [field for field, value in wanted.items() if getattr(customer, field) != value]
        if not changed:
            continue
        for field in changed:
            setattr(customer, field, wanted[field])
        customer.save(update_fields=changed)
        event_record(
            business=customer.business,
            livemode=customer.livemode,
            type="customer.updated",
            data=customer_object(customer),
        )
    return locked


# The parts of a customer's API shape that say who they are or how to reach them.
PERSONAL_FIELDS = ("name", "email", "phone", "postal_code", "preferred_locales", "time_zone")


def _redact_customer_events(customer: Customer) -> None:
    """Empty the contact details in the events that carried this (erased) customer as their
    object, as the customer's shape shows them now.

    Events are append-only for every other purpose; a person's contact details in them are
    the one exception, or "delete my data" would leave a copy of everything it deleted in
    the log (and in the API's event list). The rest of each event stays as it was.
    """
    from paydesk.events.models import Event

    erased_shape = customer_object(customer)
    events = Event.objects.filter(business_id=customer.business_id, data__object="customer", data__id=customer.public_id)
    for event_id, data in events.values_list("pk", "data"):
        erased = {field: erased_shape.get(field) for field in PERSONAL_FIELDS if field in data}
        Event.objects.filter(pk=event_id).update(data={**data, **erased})


def customer_erase(customer: Customer) -> Customer:
    """Delete what a customer asked to have deleted, keeping what the law keeps.

    Cleared: the name, email, phone, postal code and time zone; their preferences (languages,
    channels, notices, spending limit); their saved cards (removed); the addresses and texts
    of the emails and texts sent to them (each keeps its template, subject and dates); the
    words of their support requests (open ones are closed); the address on their portal
    links; and those contact details in the events about them. Kept, now detached from any
    contact details: invoices, payments, refunds, payment plans and the ledger (financial
    records). Records ``customer.erased``. Erasing an erased customer changes nothing.
    """
    from paydesk.messaging.models import Message, MessageStatus
    from paydesk.payments.models import SavedPaymentMethod
    from paydesk.portal.models import PortalLink
    from paydesk.support.services import support_requests_forget_customer

    with transaction.atomic():
        customer = Customer.objects.select_for_update(of=("self",)).select_related("business").get(pk=customer.pk)
        if customer.erased_at is not None:
            return customer
        now = clock.now()
        customer.name = customer.email = customer.phone = customer.postal_code = customer.time_zone = ""
        customer.preferred_locales = []
        customer.channel_preferences = {}
        customer.notify_every_charge = False
        customer.monthly_spending_limit = None
        customer.monthly_spending_limit_currency = ""
        customer.erased_at = now
        customer.save(
            update_fields=[
                "name", "email", "phone", "postal_code", "time_zone", "preferred_locales", "channel_preferences",
                "notify_every_charge", "monthly_spending_limit", "monthly_spending_limit_currency", "erased_at",
            ]
        )
        SavedPaymentMethod.objects.filter(customer=customer, removed_at=None).update(removed_at=now, is_default=False)
        messages = Message.objects.filter(customer=customer)
        # One still waiting would go to an address that is gone: it is not sent.
        messages.filter(status=MessageStatus.QUEUED).update(
            status=MessageStatus.FAILED, last_error="Not sent: the customer's data was deleted."
        )
        messages.update(to="", context={}, body_text="", body_html="")
        PortalLink.objects.filter(customer=customer).update(email="")
        support_requests_forget_customer(customer=customer)
        _redact_customer_events(customer)
        event_record(
            business=customer.business,
            livemode=customer.livemode,
            type="customer.erased",
            data=customer_object(customer),
        )
    return customer
