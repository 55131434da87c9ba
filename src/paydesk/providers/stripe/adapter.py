"""Stripe behind our provider interface, through the official SDK and PaymentIntents.

One ``StripeProvider`` per business and mode: it holds that connection's secret key in a
``stripe.StripeClient`` of its own, so no global SDK state (``stripe.api_key``) is read or
written. Every request pins ``STRIPE_API_VERSION``.

Money-moving calls carry our own id as Stripe's ``Idempotency-Key`` (the payment's id for a
charge, the refund's id for a refund), so a retry after a timeout can never charge or
refund twice. The SDK retries network errors, 409 and 5xx itself with that same key.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any, NoReturn

import stripe

from ..base import (
    Capability,
    CardDetails,
    ChargeOutcome,
    ChargeRequest,
    ChargeResult,
    ProviderInfo,
    RefundResult,
)
from .convert import (
    STRIPE_API_VERSION,
    charge_result_from_error,
    charge_result_from_payment_intent,
    refund_result_from_error,
    refund_result_from_refund,
)
from .errors import ProviderRejected, ProviderUnavailable, RawCardNotAccepted

PROVIDER_NAME = "stripe"
DEFAULT_TIMEOUT_SECONDS = 30
DEFAULT_MAX_NETWORK_RETRIES = 2

# The card summary comes from the charge; the payment method covers 3-D Secure, where no
# charge exists yet.
_EXPAND = ["latest_charge", "payment_method"]


def _unavailable_or_rejected(error: stripe.StripeError) -> Exception:
    """The exception for a Stripe error that is not about the card or the request's data."""
    if isinstance(error, (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)):
        return ProviderUnavailable(
            f"Stripe could not be reached or failed ({type(error).__name__}, HTTP {error.http_status}); "
            "retrying with the same reference is safe."
        )
    # The code only, not Stripe's message: an authentication error's message quotes the key.
    return ProviderRejected(
        f"Stripe refused the request ({type(error).__name__}, HTTP {error.http_status}, code {error.code or 'none'})."
    )


@dataclass(frozen=True)
class ElementIntent:
    provider_reference: str
    client_secret: str

    def __repr__(self) -> str:  # the secret confirms payments: keep it out of logs
        return f"ElementIntent({self.provider_reference!r})"


class StripeProvider:
    info = ProviderInfo(
        name=PROVIDER_NAME,
        capabilities=frozenset(
            {Capability.CARD, Capability.THREE_D_SECURE, Capability.REFUND, Capability.PARTIAL_REFUND}
        ),
    )

    def __init__(
        self,
        secret_key: str,
        *,
        api_base: str = "",
        max_network_retries: int = DEFAULT_MAX_NETWORK_RETRIES,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        """``api_base`` replaces ``https://api.stripe.com`` (tests point it at a local server)."""
        self._client = stripe.StripeClient(
            secret_key,
            stripe_version=STRIPE_API_VERSION,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.new_default_http_client(timeout=timeout_seconds),
        )

    def __repr__(self) -> str:  # never show the key
        return "<StripeProvider>"

    # -- charges ---------------------------------------------------------------------------

    def charge_create(self, request: ChargeRequest) -> ChargeResult:
        """Charge with a Stripe PaymentMethod id that Stripe.js created in the payer's browser
        (``request.saved_token``, or ``request.wallet_token`` for Apple Pay / Google Pay).

        Refuses typed card details outright (``RawCardNotAccepted``): with Stripe a card
        number must never reach our server.
        """
        if request.card is not None:
            raise RawCardNotAccepted()
        payment_method_id = request.saved_token or request.wallet_token
        return self.charge_create_with_payment_method(request, payment_method_id)

    def charge_create_with_payment_method(self, request: ChargeRequest, payment_method_id: str) -> ChargeResult:
        """Create and confirm a PaymentIntent for ``request.amount`` with ``payment_method_id``.

        ``request.card`` is never read or sent. Declines and an unusable payment method are
        FAILED results; Stripe being unreachable raises ``ProviderUnavailable``.
        """
        if not payment_method_id.startswith("pm_"):
            # Missing, or something else in the field (a card number by mistake): not sent.
            return ChargeResult(
                outcome=ChargeOutcome.FAILED,
                failure_code="payment_method_invalid",
                failure_message="Choose a card again: no Stripe payment method was given.",
                failure_param="payment_method",
            )
        params: dict[str, Any] = {
            "amount": request.amount,
            "currency": request.currency,
            "payment_method": payment_method_id,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": {"paydesk_payment": request.reference},
            "expand": _EXPAND,
        }
        if request.description:
            params["description"] = request.description
        if request.return_url:
            params["return_url"] = request.return_url
        try:
            intent = self._client.v1.payment_intents.create(params, {"idempotency_key": request.reference})
        except (stripe.CardError, stripe.InvalidRequestError) as error:
            return charge_result_from_error(error.json_body)
        except stripe.StripeError as error:
            raise _unavailable_or_rejected(error) from None
        return charge_result_from_payment_intent(intent.to_dict())

    def intent_create_for_element(self, *, amount: int, currency: str, reference: str, description: str = "") -> ElementIntent:
        """A PaymentIntent for Stripe's Payment Element on the hosted page: the browser collects
        the card or wallet (Apple Pay, Google Pay) and confirms it with the client secret, so
        no card detail ever reaches Paydesk. The secret is handed to the page, never stored.
        """
        params: dict[str, Any] = {
            "amount": amount,
            "currency": currency,
            "automatic_payment_methods": {"enabled": True},
            "metadata": {"paydesk_payment": reference},
        }
        if description:
            params["description"] = description
        try:
            intent = self._client.v1.payment_intents.create(params, {"idempotency_key": reference})
        except stripe.StripeError as error:
            raise _unavailable_or_rejected(error) from None
        body = intent.to_dict()
        return ElementIntent(provider_reference=body["id"], client_secret=body["client_secret"])

    def charge_complete_action(self, provider_reference: str, *, approved: bool) -> ChargeResult:
        """What became of a PaymentIntent after 3-D Secure: Stripe's status is the answer.

        The payer authenticates on the issuer's page, not ours, so ``approved`` only matters
        when the payer gave up (``approved=False``) while Stripe still waits: the intent is
        then canceled, so a late authentication can no longer take money for a payment we
        have failed.
        """
        try:
            intent = self._client.v1.payment_intents.retrieve(provider_reference, {"expand": _EXPAND})
            if intent.status == "requires_action" and not approved:
                intent = self._client.v1.payment_intents.cancel(
                    provider_reference,
                    {"cancellation_reason": "abandoned", "expand": _EXPAND},
                    {"idempotency_key": f"{provider_reference}-cancel"},
                )
        except stripe.InvalidRequestError as error:
            # The intent moved on before the cancel arrived (the payer finished after all):
            # Stripe's refusal carries the intent as it now is.
            current = (error.json_body or {}).get("error", {}).get("payment_intent")
            if error.code == "payment_intent_unexpected_state" and current:
                return charge_result_from_payment_intent(current)
            raise _unavailable_or_rejected(error) from None
        except stripe.StripeError as error:
            raise _unavailable_or_rejected(error) from None
        return charge_result_from_payment_intent(intent.to_dict())

    def card_tokenize(self, card: CardDetails) -> NoReturn:
        """Refused: Stripe saves cards in the payer's browser (a SetupIntent), never from a number."""
        raise RawCardNotAccepted()

    # -- refunds ---------------------------------------------------------------------------

    def refund_create(
        self, provider_reference: str, *, amount: int, currency: str, reference: str
    ) -> RefundResult:
        """Refund ``amount`` of the PaymentIntent ``provider_reference``; ``reference`` (our
        refund's id) is the idempotency key. Stripe refunds in the intent's own currency, which
        the payments layer keeps equal to ``currency``. Stripe's refusals are failed results."""
        params = {"payment_intent": provider_reference, "amount": amount, "metadata": {"paydesk_refund": reference}}
        try:
            refund = self._client.v1.refunds.create(params, {"idempotency_key": reference})
        except stripe.InvalidRequestError as error:
            return refund_result_from_error(error.json_body)
        except stripe.StripeError as error:
            raise _unavailable_or_rejected(error) from None
        return refund_result_from_refund(refund.to_dict())
