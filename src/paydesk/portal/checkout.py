"""The checkout form: reading what the payer typed, and saying what went wrong in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from paydesk.core import clock
from paydesk.core.money import parse_major_amount
from paydesk.providers.base import CardDetails


@dataclass
class CardForm:
    card: CardDetails | None = None
    amount: int | None = None
    save_card: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def read_card_form(post, *, currency: str) -> CardForm:
    """Validate the three card fields (and an optional amount) the way a person types them."""
    form = CardForm(values={"amount": post.get("amount", "")}, save_card=post.get("save_card") == "yes")
    number = "".join(character for character in post.get("card_number", "") if character in "0123456789")
    expiry = post.get("expiry", "").replace(" ", "")
    cvc = post.get("security_code", "").strip()
    # The card number is never echoed back into a page (a redisplayed form must be retyped).
    form.values["expiry"] = expiry[:7]
    if not 12 <= len(number) <= 19:
        form.errors["card_number"] = _("Enter the long number on the front of your card.")
    month = year = 0
    parts = expiry.split("/")
    if (
        len(parts) == 2
        and parts[0].isascii() and parts[0].isdigit() and len(parts[0]) <= 2
        and parts[1].isascii() and parts[1].isdigit() and len(parts[1]) in (2, 4)
    ):
        month = int(parts[0])
        year = int(parts[1]) + (2000 if len(parts[1]) == 2 else 0)
    today = clock.today()
    if not 1 <= month <= 12:
        form.errors["expiry"] = _("Enter the expiry date as month and year, like 04/28.")
    elif (year, month) < (today.year, today.month):
        form.errors["expiry"] = _("This card has expired. Please use another card.")
    if not (cvc.isascii() and cvc.isdigit() and len(cvc) in (3, 4)):
        form.errors["security_code"] = _("Enter the 3 digits on the back of your card (4 on the front for American Express).")
    if post.get("amount", "").strip():
        form.amount = parse_major_amount(post["amount"], currency)
        if form.amount is None:
            form.errors["amount"] = _("Enter an amount like 25.00.")
    if not form.errors:
        form.card = CardDetails(number, month, year, cvc)
    return form


def decline_message(code: str) -> str:
    """What happened, in plain words, and what to do next. Never a raw code."""
    messages = {
        "insufficient_funds": _(
            "The card does not have enough money on it — you have not been charged. "
            "Try another card, or pay a smaller amount now and the rest later."
        ),
        "expired_card": _("This card has expired — you have not been charged. Please use another card."),
        "incorrect_cvc": _(
            "The security code does not match — you have not been charged. Check the 3 digits on the back of the card."
        ),
        "incorrect_number": _("That card number is not right — you have not been charged. Please check it and try again."),
        "invalid_cvc": _("The security code does not look right. Please check it and try again."),
        "invalid_expiry_month": _("The expiry date does not look right. Please check it and try again."),
        "invalid_expiry_year": _("The expiry date does not look right. Please check it and try again."),
        "processing_error": _(
            "We could not reach your bank just now — you have not been charged. Please try again in a minute."
        ),
        "instrument_declined": _(
            "PayPal could not take the payment with the method you chose — you have not been charged. "
            "Try another method in PayPal, or pay another way below."
        ),
        "authentication_failed": _(
            "Your bank could not confirm it was you — you have not been charged. Try again, or use another card."
        ),
    }
    return messages.get(
        code,
        _("Your bank declined the payment — you have not been charged. Try another card, or contact your bank."),
    )


# Which form field a provider's failure is about, to show the message next to it.
FIELD_FOR_FAILURE = {
    "incorrect_number": "card_number",
    "incorrect_cvc": "security_code",
    "invalid_cvc": "security_code",
    "invalid_expiry_month": "expiry",
    "invalid_expiry_year": "expiry",
    "expired_card": "expiry",
}


def failure_message_for(payment) -> str:
    """The plain-words explanation for a failed or canceled payment."""
    if payment.failure_code == "payment_method_customer_decline":
        return _("You left PayPal before approving the payment — you have not been charged.")
    if payment.failure_code == "invoice_changed":
        return _("This invoice was paid or changed meanwhile, so we did not take this payment.")
    return decline_message(payment.decline_code or payment.failure_code)
