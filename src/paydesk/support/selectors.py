"""Reads of support requests."""

from __future__ import annotations

from paydesk.core.errors import NotFound

from .enums import SupportRequestStatus
from .models import SupportRequest


def support_requests_for(*, business, livemode: bool):
    return SupportRequest.objects.filter(business=business, livemode=livemode).select_related("customer", "invoice")


def open_support_requests(*, business, livemode: bool):
    """Requests waiting for staff, newest first."""
    return support_requests_for(business=business, livemode=livemode).filter(
        status=SupportRequestStatus.OPEN.value
    ).order_by("-created", "-id")


def closed_support_requests(*, business, livemode: bool):
    """Requests staff closed, the most recently closed first."""
    return support_requests_for(business=business, livemode=livemode).filter(
        status=SupportRequestStatus.CLOSED.value
    ).order_by("-closed_at", "-id")


def open_support_request_count(*, business, livemode: bool) -> int:
    return SupportRequest.objects.filter(
        business=business, livemode=livemode, status=SupportRequestStatus.OPEN.value
    ).count()


def support_request_get(*, business, livemode: bool, public_id: str) -> SupportRequest:
    support_request = support_requests_for(business=business, livemode=livemode).filter(public_id=public_id).first()
    if support_request is None:
        raise NotFound("support_request", public_id)
    return support_request


def requests_holding_reminders():
    """Open requests about an invoice: that invoice gets no reminders meanwhile
    (``messaging.reminder_rules``). Never a request without an invoice: a NULL in a
    ``NOT IN`` subquery would hold every invoice."""
    return SupportRequest.objects.filter(status=SupportRequestStatus.OPEN.value, invoice__isnull=False)
