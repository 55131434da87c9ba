"""Template filters that show money, dates and codes in the page's language.

The page's language is whatever ``use_dashboard_language`` activated, so templates never
pass a locale around.
"""

from __future__ import annotations

import datetime

from babel.dates import format_datetime
from django import template
from django.utils import translation

from paydesk.core.formatting import date_text, money_text

from .. import labels

register = template.Library()


def _locale() -> str:
    return translation.get_language() or "en"


@register.filter
def money(amount_minor, currency: str) -> str:
    """``{{ invoice.total|money:invoice.currency }}`` → "$1,234.50" or "1 234,50 $"."""
    if amount_minor is None or not currency:
        return ""
    return money_text(int(amount_minor), currency, _locale())


@register.filter
def day(value) -> str:
    return date_text(value, _locale())


@register.filter
def moment(value) -> str:
    """A date and time, short, in UTC (the zone the server keeps)."""
    if not isinstance(value, datetime.datetime):
        return ""
    return format_datetime(value, format="short", tzinfo=datetime.timezone.utc, locale=_locale())


@register.filter
def invoice_status(code: str) -> str:
    return labels.label(labels.INVOICE_STATUS, code)


@register.filter
def payment_status(code: str) -> str:
    return labels.label(labels.PAYMENT_STATUS, code)


@register.filter
def refund_status(code: str) -> str:
    return labels.label(labels.REFUND_STATUS, code)


@register.filter
def message_status(code: str) -> str:
    return labels.label(labels.MESSAGE_STATUS, code)


@register.filter
def message_template(code: str) -> str:
    return labels.label(labels.MESSAGE_TEMPLATE, code)


@register.filter
def refund_reason(code: str) -> str:
    return labels.label(labels.REFUND_REASON, code)


@register.filter
def payment_method(payment) -> str:
    """"Visa •••• 4242" for a card, "Cash" for money taken by hand."""
    if payment.card_last4:
        return f"{payment.card_brand.title()} •••• {payment.card_last4}"
    return labels.label(labels.PAYMENT_METHOD, payment.method_type)
