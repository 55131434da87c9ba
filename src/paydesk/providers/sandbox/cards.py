"""The sandbox's test cards (the same numbers Stripe's test mode uses) and card checks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TestCardBehaviour:
    decline_code: str = ""  # empty: the charge succeeds
    requires_three_d_secure: bool = False


TEST_CARDS: dict[str, TestCardBehaviour] = {
    "4242424242424242": TestCardBehaviour(),
    "5555555555554444": TestCardBehaviour(),
    "378282246310005": TestCardBehaviour(),
    "4000000000000002": TestCardBehaviour(decline_code="generic_decline"),
    "4000000000009995": TestCardBehaviour(decline_code="insufficient_funds"),
    "4000000000009987": TestCardBehaviour(decline_code="lost_card"),
    "4000000000009979": TestCardBehaviour(decline_code="stolen_card"),
    "4000000000000069": TestCardBehaviour(decline_code="expired_card"),
    "4000000000000127": TestCardBehaviour(decline_code="incorrect_cvc"),
    "4000000000000119": TestCardBehaviour(decline_code="processing_error"),
    "4000002500003155": TestCardBehaviour(requires_three_d_secure=True),
}

# Stripe's failure codes for the card-level declines above (error.code for each).
FAILURE_CODE_FOR_DECLINE = {
    "expired_card": "expired_card",
    "incorrect_cvc": "incorrect_cvc",
    "processing_error": "processing_error",
}


def luhn_valid(number: str) -> bool:
    # isascii too: str.isdigit() is true for "²" and Arabic-Indic digits, which no card has.
    if not (number.isascii() and number.isdigit()) or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, digit_character in enumerate(reversed(number)):
        digit = int(digit_character)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    """The brand from the number's first digits (IIN ranges), as the payer types it."""
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"34", "37"}:
        return "amex"
    prefix_two = int(number[:2]) if number[:2].isascii() and number[:2].isdigit() else 0
    prefix_four = int(number[:4]) if number[:4].isascii() and number[:4].isdigit() else 0
    if 51 <= prefix_two <= 55 or 2221 <= prefix_four <= 2720:
        return "mastercard"
    if number.startswith("6011") or number.startswith("65"):
        return "discover"
    if 2200 <= prefix_four <= 2204:
        return "mir"
    if 3528 <= prefix_four <= 3589:
        return "jcb"
    if number.startswith("62"):
        return "unionpay"
    return "unknown"


def normalize_number(raw: str) -> str:
    """Digits only: payers type spaces and dashes."""
    return "".join(character for character in raw if not character.isspace() and character != "-")
