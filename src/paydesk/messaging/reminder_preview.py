"""What a reminder step will say, for staff to read before it goes out: the email (subject,
text, HTML) and the SMS, for a sample invoice, in the language asked for. Rendered from the
same templates and the same kind of snapshot as real messages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.core.formatting import date_text, money_text

from .models import ReminderStep
from .reminder_rules import business_today
from .sms import sms_text

# A sample customer per language, so the greeting reads naturally in each.
_SAMPLE_CUSTOMER_NAMES = {"en": "Ada Lovelace", "ru": "Анна Иванова"}
_SAMPLE_LINES = ((gettext_noop("Call-out visit"), 1, 8000), (gettext_noop("Replacement parts"), 2, 2000))


@dataclass(frozen=True)
class ReminderPreview:
    subject: str
    text: str
    html: str
    sms: str


def sample_context(*, business: Business, step: ReminderStep, locale: str) -> dict:
    """A message snapshot like ``notifications`` makes, for an invoice whose step is due today."""
    currency = business.default_currency
    due_date = business_today(business, clock.now()) - datetime.timedelta(days=step.offset_days)
    token = {"token": "sample"}
    with translation.override(locale):
        lines = [
            {"description": gettext(description), "quantity": quantity, "amount": money_text(quantity * unit, currency, locale)}
            for description, quantity, unit in _SAMPLE_LINES
        ]
    total = sum(quantity * unit for _description, quantity, unit in _SAMPLE_LINES)
    return {
        "business": {"name": business.name, "email": business.email},
        "customer": {"name": _SAMPLE_CUSTOMER_NAMES.get(locale, _SAMPLE_CUSTOMER_NAMES["en"])},
        "invoice": {"number": f"{business.invoice_number_prefix}-0042"},
        "lines": lines,
        "total": money_text(total, currency, locale),
        "amount_paid": money_text(0, currency, locale),
        "amount_remaining": money_text(total, currency, locale),
        "due_date": date_text(due_date, locale),
        "locale": locale,
        "invoice_url": settings.BASE_URL + reverse("hosted-invoice", kwargs=token),
        "invoice_pdf_url": settings.BASE_URL + reverse("hosted-invoice-pdf", kwargs=token),
    }


def reminder_preview(*, business: Business, step: ReminderStep, locale: str) -> ReminderPreview:
    context = sample_context(business=business, step=step, locale=locale)
    template = step.template
    with translation.override(locale):
        subject = render_to_string(f"messaging/email/{template}_subject.txt", context)
        text = render_to_string(f"messaging/email/{template}.txt", context)
        html = render_to_string(f"messaging/email/{template}.html", context)
    return ReminderPreview(
        subject=" ".join(subject.split()), text=text, html=html, sms=sms_text(template=template, context=context, locale=locale)
    )
