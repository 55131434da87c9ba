"""Every write to support requests: a customer asks (and staff are told by email), staff
close it; and what deleting a customer's data does to their requests."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from paydesk.businesses.enums import StaffRole
from paydesk.businesses.models import StaffMembership
from paydesk.core import clock
from paydesk.core.errors import NotFound, PaydeskError
from paydesk.core.formatting import date_text, money_text
from paydesk.core.transitions import check_transition
from paydesk.customers.models import Customer
from paydesk.events.services import event_record
from paydesk.invoicing.enums import InvoiceStatus

from .enums import SUPPORT_REQUEST_TRANSITIONS, SupportRequestStatus
from .models import MAX_MESSAGE_LENGTH, SupportRequest

# A customer may send this many requests a day: enough for anyone with a real question,
# and a ceiling on how many emails a script could make staff receive.
MAX_REQUESTS_PER_DAY = 10
# Who is emailed about a new request: the people who run the business.
NOTIFIED_ROLES = (StaffRole.OWNER, StaffRole.ADMIN)
STAFF_TEMPLATE = "support_request_staff"


def support_request_object(support_request: SupportRequest) -> dict:
    """The request as events show it (the shape an API would answer with)."""
    return {
        "id": support_request.public_id,
        "object": "support_request",
        "livemode": support_request.livemode,
        "customer": support_request.customer.public_id,
        "invoice": support_request.invoice.public_id if support_request.invoice_id else None,
        "message": support_request.message,
        "status": support_request.status,
        "created": int(support_request.created.timestamp()),
        "closed_at": int(support_request.closed_at.timestamp()) if support_request.closed_at else None,
    }


def _record(support_request: SupportRequest, type: str) -> None:
    event_record(
        business=support_request.business,
        livemode=support_request.livemode,
        type=type,
        data=support_request_object(support_request),
        subject=support_request,
    )


_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,18}")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def message_has_card_number(text: str) -> bool:
    """True when ``text`` holds something that looks like a card number (13 to 19 digits,
    spaces or dashes between them allowed, passing the Luhn check): never stored (rule 9)."""
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        # The whole run, or a common card length at its start ("4242 4242 4242 4242 12/30"
        # runs on into the expiry date).
        lengths = {len(digits)} | {length for length in (15, 16) if length < len(digits)}
        if any(_luhn_valid(digits[:length]) for length in lengths):
            return True
    return False


def _message_text(message: str) -> str:
    """The customer's words with line ends made alike and the blank edges trimmed."""
    return (message or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def support_request_create(*, customer: Customer, message: str, invoice=None) -> SupportRequest:
    """Record what the customer asks, about ``invoice`` (one of theirs) or nothing in
    particular, with a ``support_request.created`` event, and email every owner and admin
    of the business (in the business's language) the request with the customer's contact
    details and the invoice.

    Refuses: an empty message or one over 2,000 characters, one holding a card number, a
    customer whose data was deleted, an invoice of another customer or a draft, more than
    ten requests from one customer in a day.
    """
    text = _message_text(message)
    if not text:
        raise PaydeskError("parameter_missing", "Write what you would like to ask.", param="message")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise PaydeskError(
            "message_too_long", f"A message may have at most {MAX_MESSAGE_LENGTH} characters.", param="message"
        )
    if message_has_card_number(text):
        raise PaydeskError(
            "card_number_in_message", "Please do not send a card number in a message; it is never needed.",
            param="message",
        )
    if invoice is not None and (invoice.customer_id != customer.pk or invoice.status == InvoiceStatus.DRAFT):
        raise NotFound("invoice", invoice.public_id, param="invoice")
    with transaction.atomic():
        # The customer's row lock makes the daily count exact under two quick submissions.
        customer = Customer.objects.select_for_update(of=("self",)).select_related("business").get(pk=customer.pk)
        if customer.erased_at is not None:
            raise NotFound("customer", customer.public_id, param="customer")
        now = clock.now()
        sent_today = SupportRequest.objects.filter(
            customer=customer, created__gt=now - datetime.timedelta(days=1)
        ).count()
        if sent_today >= MAX_REQUESTS_PER_DAY:
            raise PaydeskError(
                "too_many_support_requests",
                "You have sent many messages today; please write again tomorrow.",
                param="message",
                http_status=429,
            )
        support_request = SupportRequest.objects.create(
            business=customer.business,
            livemode=customer.livemode,
            customer=customer,
            invoice=invoice,
            message=text,
            status=SupportRequestStatus.OPEN.value,
            created=now,
        )
        _record(support_request, "support_request.created")
        _email_staff(support_request)
    return support_request


def _staff_email_context(support_request: SupportRequest, locale: str) -> dict:
    """What the staff email says, as plain JSON (a snapshot, like every message). Not under
    the key "customer": the email layout would then add the customers' footer."""
    business, customer, invoice = support_request.business, support_request.customer, support_request.invoice
    dashboard = settings.BASE_URL
    context = {
        "business": {"name": business.name, "email": business.email},
        "requester": {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "url": dashboard + reverse("dashboard:customer-detail", kwargs={"customer_id": customer.public_id}),
        },
        "request": {
            "id": support_request.public_id,
            "message": support_request.message,
            "received": date_text(support_request.created, locale),
        },
        "invoice": None,
        "livemode": support_request.livemode,
        "support_url": dashboard + reverse("dashboard:support-list") + f"#{support_request.public_id}",
        "locale": locale,
    }
    if invoice is not None:
        context["invoice"] = {
            "number": invoice.number,
            "status": invoice.status,
            "amount_due": money_text(invoice.amount_remaining, invoice.currency, locale),
            "total": money_text(invoice.total, invoice.currency, locale),
            "url": dashboard + reverse("dashboard:invoice-detail", kwargs={"invoice_id": invoice.public_id}),
        }
    return context


def _staff_dedupe_prefix(support_request: SupportRequest) -> str:
    return f"{STAFF_TEMPLATE}:{support_request.public_id}:"


def _email_staff(support_request: SupportRequest) -> int:
    """Queue one email per owner and admin with an address; answers how many."""
    from paydesk.messaging.models import Message
    from paydesk.messaging.tasks import wake_message_worker

    business = support_request.business
    locale = business.default_locale
    with translation.override(locale):
        context = _staff_email_context(support_request, locale)
        subject = " ".join(render_to_string(f"messaging/email/{STAFF_TEMPLATE}_subject.txt", context).split())
    members = StaffMembership.objects.filter(business=business, role__in=NOTIFIED_ROLES).select_related("user")
    queued = 0
    for member in members.order_by("pk"):
        if not member.user.email:
            continue
        Message.objects.create(
            business=business,
            livemode=support_request.livemode,
            to=member.user.email,
            locale=locale,
            template=STAFF_TEMPLATE,
            subject=subject[:300],
            context=context,
            next_attempt_at=clock.real_now(),  # sending runs on the wall clock
            dedupe_key=_staff_dedupe_prefix(support_request) + str(member.user_id),
            created=clock.now(),
        )
        queued += 1
    if queued:
        transaction.on_commit(wake_message_worker)
    return queued


def support_request_close(*, support_request: SupportRequest) -> SupportRequest:
    """Staff dealt with it: closed, with a ``support_request.closed`` event (reminders about
    its invoice may go out again). Refuses a request that is already closed."""
    with transaction.atomic():
        locked = (
            SupportRequest.objects.select_for_update(of=("self",))
            .select_related("business", "customer", "invoice")
            .get(pk=support_request.pk)
        )
        check_transition("support_request", SUPPORT_REQUEST_TRANSITIONS, locked.status, SupportRequestStatus.CLOSED)
        locked.status = SupportRequestStatus.CLOSED.value
        locked.closed_at = clock.now()
        locked.save(update_fields=["status", "closed_at"])
        _record(locked, "support_request.closed")
    return locked


def support_requests_forget_customer(*, customer: Customer) -> None:
    """Part of deleting a customer's data (``customers.services.customer_erase``, inside its
    transaction): the words of every request of theirs are emptied (in the requests and in
    their events), their open requests are closed, and the staff emails about them (which
    carried the customer's contact details) are emptied too, and not sent if still queued."""
    from paydesk.events.models import Event
    from paydesk.messaging.models import Message, MessageStatus

    requests = SupportRequest.objects.filter(customer=customer)
    public_ids = list(requests.values_list("public_id", flat=True))
    requests.update(message="")
    for support_request in requests.filter(status=SupportRequestStatus.OPEN.value):
        support_request_close(support_request=support_request)
    # Events are append-only for every other purpose; emptying personal words in their data
    # is the one exception (see docs/adr: erasing a customer).
    events = Event.objects.filter(
        business_id=customer.business_id, data__object="support_request", data__customer=customer.public_id
    )
    for event_id, data in events.values_list("pk", "data"):
        if data.get("message"):
            Event.objects.filter(pk=event_id).update(data={**data, "message": ""})
    for public_id in public_ids:
        emails = Message.objects.filter(
            business_id=customer.business_id, dedupe_key__startswith=f"{STAFF_TEMPLATE}:{public_id}:"
        )
        emails.filter(status=MessageStatus.QUEUED).update(
            status=MessageStatus.FAILED, last_error="Not sent: the customer's data was deleted."
        )
        emails.update(context={}, body_text="", body_html="")
