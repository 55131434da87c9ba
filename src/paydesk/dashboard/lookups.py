"""Finding one record for a staff request: through the domain's selectors, scoped to the
request's business and mode. Another business's id is a plain 404, the same as a wrong id."""

from __future__ import annotations

from django.http import Http404

from paydesk.core.errors import NotFound
from paydesk.customers.selectors import customer_get
from paydesk.invoicing.selectors import invoice_get
from paydesk.messaging.models import Message
from paydesk.payments.selectors import payment_get
from paydesk.terms.models import PaymentPlan
from paydesk.terms.selectors import plan_get


def invoice_for(request, public_id: str):
    try:
        return invoice_get(**request.staff.scoped(), public_id=public_id)
    except NotFound:
        raise Http404("No such invoice") from None


def customer_for(request, public_id: str):
    try:
        return customer_get(**request.staff.scoped(), public_id=public_id)
    except NotFound:
        raise Http404("No such customer") from None


def payment_for(request, public_id: str):
    try:
        return payment_get(**request.staff.scoped(), public_id=public_id)
    except NotFound:
        raise Http404("No such payment") from None


def outbox_messages(request, *, invoice=None):
    """The business's emails, newest first. (Messaging has no selectors module yet.)"""
    messages = Message.objects.filter(**request.staff.scoped()).select_related("customer", "invoice")
    if invoice is not None:
        messages = messages.filter(invoice=invoice)
    return messages.order_by("-id")


def message_for(request, public_id: str) -> Message:
    message = outbox_messages(request).filter(public_id=public_id).first()
    if message is None:
        raise Http404("No such message")
    return message


def plan_for(request, public_id: str):
    try:
        return plan_get(**request.staff.scoped(), public_id=public_id)
    except NotFound:
        raise Http404("No such payment plan") from None


def business_plans(request):
    """The business's payment plans with what their rows show. (Plans have no list selector yet.)"""
    return (
        PaymentPlan.objects.filter(**request.staff.scoped())
        .select_related("invoice", "customer")
        .prefetch_related("parts")
    )
