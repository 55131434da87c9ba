"""Every write to customers."""

from __future__ import annotations

from django.db import transaction

from paydesk.api.objects import customer_object
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
