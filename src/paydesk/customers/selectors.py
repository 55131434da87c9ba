from __future__ import annotations

from paydesk.businesses.models import Business
from paydesk.core.errors import NotFound

from .models import Customer


def customer_get(*, business: Business, livemode: bool, public_id: str, param=None) -> Customer:
    """The business's customer with that id; another business's id is simply not found."""
    customer = (
        Customer.objects.select_related("business")
        .filter(business=business, livemode=livemode, public_id=public_id)
        .first()
    )
    if customer is None:
        raise NotFound("customer", public_id, param=param)
    return customer


def customer_list(*, business: Business, livemode: bool):
    return Customer.objects.filter(business=business, livemode=livemode).order_by("-id")
