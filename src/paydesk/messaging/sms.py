"""Text messages to customers: one small provider interface, and a sandbox sink behind it.

A text is kept as a ``Message`` with channel "sms", like an email, so the outbox, the API's
message list and the dedupe key work the same for both. The sandbox sink sends nothing: it
marks the message "stored", and its text stays readable in the outbox.

The phone number is encrypted on the customer (rule 9), so the message keeps only its last
digits; a provider is handed the number from the customer row when it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from paydesk.core import clock
from paydesk.core.formatting import date_text, money_text
from paydesk.core.locales import locale_for

from .models import Message, MessageStatus
from .notifications import portal_links

# One SMS segment holds 160 plain characters (70 in Cyrillic); the texts aim for one.
SEGMENT_CHARACTERS = 160


@dataclass(frozen=True)
class SmsResult:
    status: str  # a MessageStatus: "sent" when a provider took it, "stored" for the sandbox
    error: str = ""


class SmsProvider(Protocol):
    name: str

    def send(self, *, to: str, text: str) -> SmsResult:
        """Hand one text to the provider; raises nothing, answers what happened."""
        ...


class SandboxSmsSink:
    """Sends nothing anywhere: the text is kept on its message, where tests and staff read it.

    Safe to call inside the sweep's transaction because it touches nothing outside the
    database. A real provider must not be: it would be called by the delivery worker after
    commit, as emails are.
    """

    name = "sandbox"

    def send(self, *, to: str, text: str) -> SmsResult:
        return SmsResult(status=MessageStatus.STORED)


# An explicit registry (no lookup of classes by name); a real provider adds its adapter here.
SMS_PROVIDERS: dict[str, SmsProvider] = {"sandbox": SandboxSmsSink()}


def sms_provider() -> SmsProvider:
    return SMS_PROVIDERS[getattr(settings, "SMS_PROVIDER", "sandbox")]


def phone_masked(phone: str) -> str:
    """"•••• 0100": enough for staff to tell numbers apart, too little to use."""
    digits = [character for character in phone if character.isdigit()]
    return "•••• " + "".join(digits[-4:])


def sms_context(*, invoice, locale: str, payment=None) -> dict:
    context = {
        "business": {"name": invoice.business.name},
        "invoice": {"number": invoice.number},
        "amount_remaining": money_text(invoice.amount_remaining, invoice.currency, locale),
        "due_date": date_text(invoice.due_date, locale),
        "invoice_url": portal_links(invoice)["invoice_url"],
    }
    if payment is not None:
        context["payment_amount"] = money_text(payment.amount, payment.currency, locale)
        context["payment"] = {"card_brand": payment.card_brand, "card_last4": payment.card_last4}
    return context


def sms_text(*, template: str, context: dict, locale: str) -> str:
    """The text of an SMS from ``messaging/sms/<template>.txt``, on one line."""
    with translation.override(locale):
        return " ".join(render_to_string(f"messaging/sms/{template}.txt", context).split())


def sms_queue(*, invoice, template: str, dedupe_key: str, payment=None, extra=None) -> Message | None:
    """Text the invoice's customer; None when they have no phone number. A second call with
    the same purpose key returns the first message. ``extra`` is a function of the locale
    answering more of the snapshot (a plan part's amount and date), as for emails."""
    customer = invoice.customer
    if not customer.phone:
        return None
    existing = Message.objects.filter(business=invoice.business, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    locale = locale_for(customer=customer, business=invoice.business)
    context = sms_context(invoice=invoice, locale=locale, payment=payment)
    if extra is not None:
        with translation.override(locale):
            context.update(extra(locale))
    text = sms_text(template=template, context=context, locale=locale)
    provider = sms_provider()
    result = provider.send(to=customer.phone, text=text)
    sent_at = clock.real_now() if result.status in (MessageStatus.SENT, MessageStatus.STORED) else None
    message = Message.objects.create(
        business=invoice.business,
        livemode=invoice.livemode,
        customer=customer,
        invoice=invoice,
        payment=payment,
        channel="sms",
        to=phone_masked(customer.phone),
        locale=locale,
        template=template,
        subject=text[:300],
        context=context,
        body_text=text,
        status=result.status,
        attempt_count=1,
        last_error=result.error[:300],
        next_attempt_at=clock.real_now(),
        dedupe_key=dedupe_key,
        created=clock.now(),
        sent_at=sent_at,
    )
    return message
