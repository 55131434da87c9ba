"""The one small interface every payment provider sits behind (rule 7).

Adapters turn their provider's shapes into these normalized results in their own module;
nothing outside ``providers/`` sees a provider's raw response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class ChargeOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    FAILED = "failed"


class Capability(StrEnum):
    CARD = "card"
    SAVED_CARDS = "saved_cards"
    WALLETS = "wallets"
    THREE_D_SECURE = "three_d_secure"
    REFUND = "refund"
    PARTIAL_REFUND = "partial_refund"


@dataclass(frozen=True)
class CardDetails:
    """A card as typed by the payer. Lives only in memory, for the length of one call."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str

    def __repr__(self) -> str:  # never let a card number reach a log or a traceback
        return f"CardDetails(last4={self.number[-4:]!r})"


@dataclass(frozen=True)
class CardSummary:
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class ChargeRequest:
    """What to charge, and with what: typed card details, a saved card's token, or a wallet."""

    amount: int
    currency: str
    card: CardDetails | None
    # Our payment id: the provider's idempotency key, so a retried call never charges twice.
    reference: str
    return_url: str = ""
    description: str = ""
    saved_token: str = ""
    # A wallet's one-time payment token (Apple Pay, Google Pay; the sandbox's test wallet).
    wallet: str = ""
    wallet_token: str = ""


@dataclass(frozen=True)
class ChargeResult:
    outcome: ChargeOutcome
    provider_reference: str = ""
    card: CardSummary | None = None
    fee_amount: int = 0
    failure_code: str = ""
    decline_code: str = ""
    failure_message: str = ""
    # Where the payer must go next when ``outcome`` is REQUIRES_ACTION (3-D Secure).
    redirect_url: str = ""
    # Which request field was wrong, when the failure is about one field (number, cvc...).
    failure_param: str = ""


@dataclass(frozen=True)
class TokenizeResult:
    """A card kept at the provider for later charges; ``token`` is all we store."""

    token: str
    card: CardSummary


@dataclass(frozen=True)
class RefundResult:
    succeeded: bool
    provider_reference: str = ""
    failure_reason: str = ""


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    capabilities: frozenset[Capability] = field(default_factory=frozenset)


class PaymentProvider(Protocol):
    info: ProviderInfo

    def charge_create(self, request: ChargeRequest) -> ChargeResult:
        """Charge a card. Declines are results, not exceptions."""

    def charge_complete_action(self, provider_reference: str, *, approved: bool) -> ChargeResult:
        """Finish a charge that needed the payer's action (3-D Secure)."""

    def card_tokenize(self, card: CardDetails) -> TokenizeResult:
        """Keep a card at the provider for later charges (only with the payer's consent)."""

    def refund_create(
        self, provider_reference: str, *, amount: int, currency: str, reference: str
    ) -> RefundResult:
        """Return ``amount`` of a succeeded charge to the payer."""


class RedirectPaymentProvider(PaymentProvider, Protocol):
    """A provider whose payer approves on the provider's own site (PayPal)."""

    def order_create(
        self, *, amount: int, currency: str, reference: str, return_url: str, cancel_url: str, description: str = ""
    ) -> ChargeResult:
        """Create the order; REQUIRES_ACTION with the address to send the payer to."""


class ElementPaymentProvider(PaymentProvider, Protocol):
    """A provider whose own browser form collects the card or wallet (Stripe's Payment Element)."""

    def intent_create_for_element(self, *, amount: int, currency: str, reference: str, description: str = ""):
        """Create the payment at the provider; returns its reference and the client secret
        the page needs (never stored)."""
