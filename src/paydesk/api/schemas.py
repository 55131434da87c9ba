"""Request bodies. Strict: an amount must be a JSON integer (not 10.0, not "10"), a date
a "YYYY-MM-DD" string (not a number of seconds), and unknown parameters are refused, so
typos never pass silently.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, model_validator, Field, StrictBool, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

from ninja import Schema

from paydesk.core.money import MAX_AMOUNT_MINOR


def _refuse_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refusing it here keeps that a 400, not a 500.
    if "\x00" in value:
        raise PydanticCustomError("string_nul", "String should not contain NUL characters")
    return value


def _iso_date_string(value: object) -> object:
    # Pydantic alone would take 0 as 1970-01-01 and "2026-01-01T00:00:00" as a date.
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_type", "Input should be a date in YYYY-MM-DD form")
    return value


def _text(**constraints):
    """A string with these constraints and no NUL. The constraints come first so their
    errors stay string errors ("string_too_long"), not generic ones."""
    return Annotated[StrictStr, Field(**constraints), AfterValidator(_refuse_nul)]


EMAIL_PATTERN = r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"

IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date_string)]
AmountMinor = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_MINOR)]
PositiveAmountMinor = Annotated[StrictInt, Field(ge=1, le=MAX_AMOUNT_MINOR)]
Currency = Annotated[StrictStr, Field(pattern=r"^[a-z]{3}$")]
ObjectId = _text(min_length=3, max_length=40)
Locale = Annotated[StrictStr, Field(pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$")]
Name = _text(max_length=200)
Email = _text(max_length=254, pattern=EMAIL_PATTERN)
Phone = _text(max_length=40)
LineDescription = _text(min_length=1, max_length=500)
InvoiceDescription = _text(max_length=5000)
CardNumber = _text(min_length=1, max_length=30)
CardCvc = _text(min_length=1, max_length=8)
# Empty, or an http(s) address: the payer is sent there after 3-D Secure, so never a
# "javascript:" or other scheme.
ReturnUrl = _text(max_length=500, pattern=r"^$|^https?://[^\s]+$")
WebhookUrl = _text(min_length=1, max_length=2000)
EventTypePattern = _text(min_length=1, max_length=60)


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class CustomerCreate(StrictSchema):
    name: Name = ""
    email: Email = ""
    phone: Phone = ""
    preferred_locales: Annotated[list[Locale], Field(max_length=5)] = []


class CustomerUpdate(StrictSchema):
    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    preferred_locales: Annotated[list[Locale], Field(max_length=5)] | None = None
    # An IANA time zone for quiet hours ("Europe/Moscow"); "" for the business's.
    time_zone: Annotated[StrictStr, Field(max_length=60)] | None = None
    # No reminders or other messages that are not strictly needed.
    non_essential_opt_out: StrictBool | None = None
    # With an invoice number, lets the customer find a bill on /portal/find.
    postal_code: _text(max_length=20) | None = None


class InvoiceLineCreate(StrictSchema):
    description: LineDescription
    quantity: Annotated[StrictInt, Field(ge=1, le=1_000_000)]
    unit_amount: AmountMinor
    tax_rate_percent: Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)] = Decimal(0)


class InvoiceCreate(StrictSchema):
    customer: ObjectId
    currency: Currency
    due_date: IsoDate | None = None
    lines: Annotated[list[InvoiceLineCreate], Field(min_length=1, max_length=100)]
    discount_amount: AmountMinor = 0
    description: InvoiceDescription = ""


class CardCreate(StrictSchema):
    number: CardNumber
    exp_month: StrictInt
    exp_year: StrictInt
    cvc: CardCvc


class PaymentMethodCreate(StrictSchema):
    """``{"type": "card", "card": {...}}``, ``{"type": "bank_transfer"}``, or (written as a
    plain string in the request) a saved card: ``"pm_..."``."""

    type: Literal["card", "bank_transfer", "saved"]
    card: CardCreate | None = None
    id: ObjectId | None = None

    @model_validator(mode="after")
    def _card_when_paying_by_card(self):
        if self.type == "card" and self.card is None:
            raise PydanticCustomError("missing_card", "a card payment needs the card")
        return self


def _saved_method_given_by_id(value):
    """``"pm_..."`` is shorthand for ``{"type": "saved", "id": "pm_..."}``."""
    if isinstance(value, str):
        return {"type": "saved", "id": value}
    return value


class PaymentCreate(StrictSchema):
    invoice: ObjectId
    amount: PositiveAmountMinor | None = None
    payment_method: Annotated[PaymentMethodCreate, BeforeValidator(_saved_method_given_by_id)]
    # Keep the card for the customer's next payment (only with their consent).
    save_payment_method: StrictBool = False
    return_url: ReturnUrl = ""


class RefundCreate(StrictSchema):
    payment: ObjectId
    amount: PositiveAmountMinor | None = None
    reason: Literal["requested_by_customer", "duplicate", "fraudulent"] | None = None


class WebhookEndpointCreate(StrictSchema):
    url: WebhookUrl
    enabled_events: Annotated[list[EventTypePattern], Field(min_length=1, max_length=100)] = ["*"]


class PaymentAuthentication(StrictSchema):
    outcome: Literal["approve", "fail"] = "approve"


class PaymentLinkCreate(StrictSchema):
    amount: PositiveAmountMinor
    currency: Currency
    description: Annotated[StrictStr, Field(min_length=1, max_length=500)]


class BankTransferArrival(StrictSchema):
    reference: Annotated[StrictStr, Field(min_length=5, max_length=40)]
    amount: PositiveAmountMinor
    currency: Currency


class ClockAdvance(StrictSchema):
    # The clock moves a day at a time, running the work due after each day, so one call is
    # kept to a little over a year; call again to go further.
    days: Annotated[StrictInt, Field(ge=0, le=400)] = 0
    hours: Annotated[StrictInt, Field(ge=0, le=24 * 366)] = 0


class AutomaticChargeCreate(StrictSchema):
    # A saved card of the invoice's customer ("pm_..."); the default card when left out.
    payment_method: ObjectId | None = None


class PaymentPlanCreate(StrictSchema):
    invoice: ObjectId
    # How many parts; 1 is "pay later": all that remains on start_date.
    installments: Annotated[StrictInt, Field(ge=1, le=60)]
    interval: Literal["week", "month"] = "month"
    # The first part's date; today (the business's) when left out.
    start_date: IsoDate | None = None
    deposit_amount: AmountMinor = 0
    # Charge each part to the customer's saved card when due (payment_method, else the default).
    auto_charge: StrictBool = False
    payment_method: ObjectId | None = None


class PaymentPlanAnswer(StrictSchema):
    # Staff's word to the customer, sent with the answer.
    message: _text(max_length=1000) = ""


class PaymentPlanUpdate(StrictSchema):
    # true: charge each part when due to payment_method (else the customer's default card);
    # false: the customer pays each part themselves.
    auto_charge: StrictBool
    payment_method: ObjectId | None = None


class PortalSessionCreate(StrictSchema):
    # Where the portal's "back" link leads (the business's own site); optional.
    return_url: ReturnUrl = ""
