"""Money and dates for people, in their locale (babel). Used by pages, emails and PDFs."""

from __future__ import annotations

import datetime

from babel.dates import format_date

from .money import Money, format_money


def money_text(amount_minor: int, currency: str, locale: str) -> str:
    return format_money(Money(amount_minor, currency), locale)


def date_text(value: datetime.date | datetime.datetime | None, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return format_date(value, format="long", locale=locale)
