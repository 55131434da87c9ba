"""Public identifiers: a type prefix and 24 random characters (``inv_4fV...``).

Random rather than sequential so that one business cannot guess how many invoices another
has, and so ids can be made before a row is written.
"""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits
_RANDOM_LENGTH = 24

PREFIXES = {
    "business": "biz",
    "customer": "cus",
    "invoice": "inv",
    "invoice_line": "il",
    "payment": "pay",
    "refund": "re",
    "event": "evt",
    "webhook_endpoint": "we",
    "journal_transaction": "jtx",
    "api_key": "key",
    "sandbox_token": "tok",
    "message": "msg",
    "payment_link": "plink",
    "saved_method": "pm",
    "automatic_charge": "ach",
    "payment_plan": "plan",
    "portal_session": "bps",
    "support_request": "sup",
}


def new_public_id(kind: str) -> str:
    # One read of the system's random source, then base-62 digits of it: 24 digits carry
    # about 143 bits, and 24 bytes (192 bits) keep the digits evenly spread.
    number = int.from_bytes(secrets.token_bytes(24), "big")
    digits = []
    for _ in range(_RANDOM_LENGTH):
        number, remainder = divmod(number, 62)
        digits.append(_ALPHABET[remainder])
    return f"{PREFIXES[kind]}_{''.join(digits)}"


def new_token(byte_count: int = 24) -> str:
    """An unguessable URL-safe token for links that need no login."""
    return secrets.token_urlsafe(byte_count)


# Named defaults for model fields: migrations can only refer to module-level functions.
def new_business_id() -> str:
    return new_public_id("business")


def new_customer_id() -> str:
    return new_public_id("customer")


def new_invoice_id() -> str:
    return new_public_id("invoice")


def new_invoice_line_id() -> str:
    return new_public_id("invoice_line")


def new_payment_id() -> str:
    return new_public_id("payment")


def new_refund_id() -> str:
    return new_public_id("refund")


def new_event_id() -> str:
    return new_public_id("event")


def new_webhook_endpoint_id() -> str:
    return new_public_id("webhook_endpoint")


def new_journal_transaction_id() -> str:
    return new_public_id("journal_transaction")


def new_message_id() -> str:
    return new_public_id("message")


def new_payment_link_id() -> str:
    return new_public_id("payment_link")


def new_saved_method_id() -> str:
    return new_public_id("saved_method")


def new_automatic_charge_id() -> str:
    return new_public_id("automatic_charge")


def new_sandbox_token() -> str:
    return new_public_id("sandbox_token")


def new_hosted_token() -> str:
    return new_token(24)


def new_payment_plan_id() -> str:
    return new_public_id("payment_plan")


def new_portal_session_id() -> str:
    return new_public_id("portal_session")


def new_support_request_id() -> str:
    return new_public_id("support_request")
