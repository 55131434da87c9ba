"""Messages to customers: queued in the transaction of what caused them, sent by the worker.

Each message is rendered once, when queued, in the customer's language, and carries a
unique purpose key, so retries and racing workers never send it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.core.formatting import date_text, money_text
from paydesk.core.locales import locale_for

from .models import Message

# Notes before a charge or a plan part: they follow the customer's channel for "notices"
# (portal → preferences). Other messages go by email (reminders choose in reminders.py).
NOTICE_TEMPLATES = frozenset({"automatic_charge_upcoming", "plan_part_upcoming", "plan_part_due_soon"})
# Not needed to keep a customer's money straight, so left out for a customer who opted out
# of non-essential messages. Receipts, notes before an automatic charge (the customer must
# hear before money is taken) and answers to their requests are essential and still go.
NON_ESSENTIAL_TEMPLATES = frozenset({"plan_part_due_soon"})


def customer_channel(customer, kind: str) -> str:
    """How ``kind`` of message ("reminders", "notices", "charges") reaches the customer:
    "sms" when they chose texts and a phone number is on file, else "email"."""
    chosen = (customer.channel_preferences or {}).get(kind)
    return "sms" if chosen == "sms" and customer.phone else "email"


def portal_links(invoice, payment=None) -> dict:
    """Absolute links a customer can open without logging in."""
    token = {"token": invoice.hosted_token}
    links = {
        "invoice_url": settings.BASE_URL + reverse("hosted-invoice", kwargs=token),
        "invoice_pdf_url": settings.BASE_URL + reverse("hosted-invoice-pdf", kwargs=token),
    }
    if payment is not None:
        receipt = {"token": invoice.hosted_token, "payment_id": payment.public_id}
        links["receipt_url"] = settings.BASE_URL + reverse("receipt", kwargs=receipt)
        links["receipt_pdf_url"] = settings.BASE_URL + reverse("receipt-pdf", kwargs=receipt)
    return links


def _context(*, invoice, locale, payment=None, refund=None) -> dict:
    """Everything the email says, as plain JSON: a snapshot taken when the message is queued,
    so the text sent later says what was true then."""
    currency = invoice.currency
    context = {
        "business": {"name": invoice.business.name, "email": invoice.business.email},
        "customer": {"name": invoice.customer.name},
        "invoice": {"number": invoice.number},
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "amount": money_text(line.amount, currency, locale),
            }
            for line in invoice.lines.all()
        ],
        "total": money_text(invoice.total, currency, locale),
        "amount_paid": money_text(invoice.amount_paid, currency, locale),
        "amount_remaining": money_text(invoice.amount_remaining, currency, locale),
        "due_date": date_text(invoice.due_date, locale),
        "locale": locale,
        **portal_links(invoice, payment),
    }
    if payment is not None:
        context["payment"] = {
            "card_brand": payment.card_brand,
            "card_last4": payment.card_last4,
            "method_type": payment.method_type,
        }
        context["payment_amount"] = money_text(payment.amount, payment.currency, locale)
        context["payment_date"] = date_text(payment.succeeded_at or payment.created, locale)
        if payment.method_type == "bank_transfer":
            from paydesk.payments.bank_transfers import transfer_details

            context["bank_transfer"] = transfer_details(payment).as_dict()
    if refund is not None:
        context["refund_amount"] = money_text(refund.amount, refund.currency, locale)
    return context


def message_bodies(message: Message) -> tuple[str, str]:
    """The message's text and HTML: as sent, or (while still queued) as they will be sent."""
    if message.body_text:
        return message.body_text, message.body_html
    with translation.override(message.locale):
        return (
            render_to_string(f"messaging/email/{message.template}.txt", message.context),
            render_to_string(f"messaging/email/{message.template}.html", message.context),
        )


def message_render(message: Message) -> None:
    """Write the message's text and HTML from its snapshot, in its language (done by the
    worker just before sending, so rendering never lengthens a payment's transaction)."""
    message.body_text, message.body_html = message_bodies(message)
    Message.objects.filter(pk=message.pk).update(body_text=message.body_text, body_html=message.body_html)


def message_queue(
    *, invoice, template: str, dedupe_key: str, payment=None, refund=None, extra=None
) -> Message | None:
    """Render and queue an email about ``invoice`` to its customer; None if they have no email.

    A notice before a charge goes by text instead when the customer chose texts for notices
    and has a phone number; a non-essential message is not sent (None) to a customer who
    opted out of those. ``extra`` is a function of the message's locale answering more of
    the snapshot (a plan's schedule, say), made in the customer's language. A second call
    with the same purpose key returns the first message instead of a new one.
    """
    customer = invoice.customer
    if template in NON_ESSENTIAL_TEMPLATES and customer.non_essential_opt_out:
        return None
    if template in NOTICE_TEMPLATES and customer_channel(customer, "notices") == "sms":
        from .sms import sms_queue

        return sms_queue(invoice=invoice, template=template, dedupe_key=dedupe_key, payment=payment, extra=extra)
    if not customer.email:
        return None
    existing = Message.objects.filter(business=invoice.business, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    locale = locale_for(customer=customer, business=invoice.business)
    with translation.override(locale):
        context = _context(invoice=invoice, locale=locale, payment=payment, refund=refund)
        if extra is not None:
            context.update(extra(locale))
        # The subject now, so lists and the outbox can show it at once; the body when sent.
        subject = render_to_string(f"messaging/email/{template}_subject.txt", context).strip()
    now = clock.now()
    message = Message.objects.create(
        business=invoice.business,
        livemode=invoice.livemode,
        customer=customer,
        invoice=invoice,
        payment=payment,
        to=customer.email,
        locale=locale,
        template=template,
        subject=" ".join(subject.split())[:300],
        context=context,
        # Sending runs on the wall clock, whatever a business's test clock says.
        next_attempt_at=clock.real_now(),
        dedupe_key=dedupe_key,
        created=now,
    )
    from .tasks import wake_message_worker

    transaction.on_commit(wake_message_worker)
    return message


@transaction.atomic
def invoice_send(*, invoice) -> Message:
    """Email the invoice's link to its customer. Sending again sends again (a reminder by hand)."""
    from paydesk.invoicing.services import invoice_lock

    invoice = invoice_lock(invoice.pk)
    if invoice.status not in ("open", "paid"):
        raise PaydeskError(
            "invoice_not_sendable", "Only a finalized invoice can be sent; finalize the draft first.", param="invoice"
        )
    if not invoice.customer.email:
        raise PaydeskError("customer_email_missing", "The customer has no email address.", param="customer")
    sent_before = Message.objects.filter(invoice=invoice, template="invoice").count()
    message = message_queue(invoice=invoice, template="invoice", dedupe_key=f"invoice:{invoice.public_id}:{sent_before + 1}")
    from paydesk.api.objects import invoice_object
    from paydesk.events.services import event_record

    event_record(business=invoice.business, livemode=invoice.livemode, type="invoice.sent", data=invoice_object(invoice))
    return message


def _payment_of(event, subject):
    from paydesk.payments.models import Payment

    if isinstance(subject, Payment):
        return subject
    return Payment.objects.select_related("invoice__business", "invoice__customer").filter(public_id=event.data["id"]).first()


def charge_notice_queue(payment):
    """The short word about a charge for a customer who asked to hear of every one ("tell me
    about every charge"), on their channel for "charges"; once per payment. None when they
    did not ask, when the payment was money handed over offline (cash, a cheque or a
    transfer is not a charge), or when they have no address for the channel. A payment of
    several invoices names them all."""
    from paydesk.invoicing.models import Invoice
    from paydesk.payments.enums import OFFLINE_METHODS

    if payment.method_type in OFFLINE_METHODS:
        return None
    invoice, extra = payment.invoice, None
    if payment.several_invoices:
        rows = payment.several_invoices
        invoices = Invoice.objects.select_related("business", "customer").in_bulk([row["invoice"] for row in rows])
        invoice = invoices[rows[0]["invoice"]]
        numbers = ", ".join(invoices[row["invoice"]].number for row in rows)

        def extra(locale: str) -> dict:
            return {"invoice_numbers": numbers}

    if invoice is None or not invoice.customer.notify_every_charge:
        return None
    dedupe_key = f"charge_notice:{payment.public_id}"
    if customer_channel(invoice.customer, "charges") == "sms":
        from .sms import sms_queue

        return sms_queue(invoice=invoice, template="charge_notice", dedupe_key=dedupe_key, payment=payment, extra=extra)
    return message_queue(invoice=invoice, template="charge_notice", dedupe_key=dedupe_key, payment=payment, extra=extra)


def notify_for_event(event, subject=None) -> None:
    """Customer emails that follow from an event: a receipt for each payment (and the word
    about every charge for customers who asked for it), instructions
    while a bank transfer is awaited, a note when a payment that was under way fails, and
    a note for each refund. (A card declined on the page is explained on the page.)"""
    if event.type in ("payment.succeeded", "payment.processing", "payment.failed"):
        payment = _payment_of(event, subject)
        if payment is not None and payment.several_invoices and event.type == "payment.succeeded":
            _receipt_for_several(payment)
            charge_notice_queue(payment)
        if payment is None or payment.invoice is None:
            return
        if event.type == "payment.succeeded":
            message_queue(invoice=payment.invoice, template="receipt", dedupe_key=f"receipt:{payment.public_id}", payment=payment)
            charge_notice_queue(payment)
        elif event.type == "payment.processing":
            message_queue(
                invoice=payment.invoice, template="payment_processing",
                dedupe_key=f"processing:{payment.public_id}", payment=payment,
            )
        elif payment.method_type == "bank_transfer" or payment.provider in ("stripe", "paypal"):
            # Only payments the customer already left the page for; a decline on the
            # page is told there and then.
            message_queue(
                invoice=payment.invoice, template="payment_failed", dedupe_key=f"failed:{payment.public_id}", payment=payment,
            )
    elif event.type == "refund.succeeded":
        from paydesk.payments.models import Refund

        refund = Refund.objects.select_related("payment__invoice__business", "payment__invoice__customer").filter(
            public_id=event.data["id"]
        ).first()
        if refund is not None and refund.payment.invoice is not None:
            message_queue(
                invoice=refund.payment.invoice,
                template="refund",
                dedupe_key=f"refund:{refund.public_id}",
                payment=refund.payment,
                refund=refund,
            )


def _receipt_for_several(payment) -> None:
    """One receipt for a payment of several invoices, listing each with its share."""
    from paydesk.invoicing.models import Invoice

    invoices = Invoice.objects.select_related("business", "customer").in_bulk(
        [row["invoice"] for row in payment.several_invoices]
    )
    first = invoices[payment.several_invoices[0]["invoice"]]

    def paid_invoices(locale: str) -> dict:
        return {
            "paid_invoices": [
                {
                    "number": invoices[row["invoice"]].number,
                    "amount": money_text(row["amount"], payment.currency, locale),
                }
                for row in payment.several_invoices
            ]
        }

    message_queue(
        invoice=first, template="receipt_several", dedupe_key=f"receipt:{payment.public_id}", payment=payment,
        extra=paid_invoices,
    )
