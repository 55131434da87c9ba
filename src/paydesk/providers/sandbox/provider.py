"""The built-in sandbox: a faithful simulator of a card provider for test mode.

It checks what a real provider checks (Luhn, expiry, security code length), declines the
test cards with their reasons, holds 3-D Secure charges until the payer answers the
challenge page, takes a fee, and refunds only what was captured. It keeps its own records
(``SandboxCharge``) and is idempotent on the merchant's reference.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from paydesk.core import clock

from ..base import (
    Capability,
    CardDetails,
    CardSummary,
    ChargeOutcome,
    ChargeRequest,
    ChargeResult,
    ProviderInfo,
    RefundResult,
    TokenizeResult,
)
from .cards import FAILURE_CODE_FOR_DECLINE, TEST_CARDS, TestCardBehaviour, card_brand, luhn_valid, normalize_number
from .models import SandboxCard, SandboxCharge, SandboxRefund

# The sandbox's wallet pays with this test card, as a phone's wallet would with its card.
TEST_WALLET_CARD_NUMBER = "4242424242424242"
TEST_WALLET_TOKEN = "test_wallet_approved"

# The sandbox keeps 2.9% of each charge, rounded down: enough to exercise fee accounting
# without a fixed part that would exceed tiny partial payments.
FEE_BASIS_POINTS = 290

DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "lost_card": "Your card was declined.",
    "stolen_card": "Your card was declined.",
    "expired_card": "Your card has expired.",
    "incorrect_cvc": "Your card's security code is incorrect.",
    "processing_error": "An error occurred while processing your card. Try again in a little bit.",
    "authentication_failed": "The card's issuer could not authenticate the payment.",
}


def _invalid(code: str, message: str, param: str) -> ChargeResult:
    return ChargeResult(
        outcome=ChargeOutcome.FAILED,
        failure_code=code,
        failure_message=message,
        failure_param=param,
    )


def _fee(amount: int) -> int:
    return amount * FEE_BASIS_POINTS // 10_000


def _summary(charge: SandboxCharge) -> CardSummary:
    return CardSummary(
        brand=charge.card_brand,
        last4=charge.card_last4,
        exp_month=charge.card_exp_month,
        exp_year=charge.card_exp_year,
    )


def _result(charge: SandboxCharge) -> ChargeResult:
    if charge.status == "succeeded":
        return ChargeResult(
            outcome=ChargeOutcome.SUCCEEDED,
            provider_reference=charge.reference,
            card=_summary(charge),
            fee_amount=_fee(charge.amount),
        )
    if charge.status == "requires_action":
        return ChargeResult(
            outcome=ChargeOutcome.REQUIRES_ACTION,
            provider_reference=charge.reference,
            card=_summary(charge),
            redirect_url=settings.BASE_URL
            + reverse("sandbox:challenge", kwargs={"reference": charge.reference}),
        )
    decline_code = charge.decline_code or "generic_decline"
    return ChargeResult(
        outcome=ChargeOutcome.FAILED,
        provider_reference=charge.reference,
        card=_summary(charge),
        failure_code=FAILURE_CODE_FOR_DECLINE.get(decline_code, "card_declined"),
        decline_code=decline_code,
        failure_message=DECLINE_MESSAGES.get(decline_code, DECLINE_MESSAGES["generic_decline"]),
    )


def _checked_card(card: CardDetails) -> SandboxCard | ChargeResult:
    """The checks a real provider makes before it will talk to the bank, and the test card's
    behaviour; an unsaved ``SandboxCard`` when all is well, the failure otherwise."""
    number = normalize_number(card.number)
    if not luhn_valid(number):
        return _invalid("incorrect_number", "Your card number is incorrect.", "number")
    if not 1 <= card.exp_month <= 12:
        return _invalid("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month")
    today = clock.today()
    if card.exp_year < today.year or (card.exp_year == today.year and card.exp_month < today.month):
        return _invalid("invalid_expiry_year", "Your card's expiration date is in the past.", "exp_year")
    if card.exp_year > today.year + 50:
        return _invalid("invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year")
    brand = card_brand(number)
    expected_cvc_length = 4 if brand == "amex" else 3
    if not (card.cvc.isdigit() and len(card.cvc) == expected_cvc_length):
        return _invalid("invalid_cvc", "Your card's security code is invalid.", "cvc")
    behaviour = TEST_CARDS.get(number, TestCardBehaviour())
    return SandboxCard(
        brand=brand,
        last4=number[-4:],
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        decline_code=behaviour.decline_code,
        requires_three_d_secure=behaviour.requires_three_d_secure,
    )


class SandboxProvider:
    info = ProviderInfo(
        name="sandbox",
        capabilities=frozenset(
            {
                Capability.CARD,
                Capability.SAVED_CARDS,
                Capability.WALLETS,
                Capability.THREE_D_SECURE,
                Capability.REFUND,
                Capability.PARTIAL_REFUND,
            }
        ),
    )

    def charge_create(self, request: ChargeRequest) -> ChargeResult:
        existing = SandboxCharge.objects.filter(merchant_reference=request.reference).first()
        if existing is not None:
            return _result(existing)
        if request.saved_token:
            saved = SandboxCard.objects.filter(token=request.saved_token).first()
            if saved is None:
                return _invalid("payment_method_missing", "This saved card is no longer available.", "payment_method")
            return self._charge(request, saved)
        if request.wallet:
            if request.wallet != "test_wallet" or request.wallet_token != TEST_WALLET_TOKEN:
                return _invalid("wallet_declined", "The wallet did not approve the payment.", "wallet")
            today = clock.today()
            card = _checked_card(CardDetails(TEST_WALLET_CARD_NUMBER, 12, today.year + 3, "123"))
            return self._charge(request, card)
        if request.card is None:
            return _invalid("payment_method_missing", "No card was given.", "payment_method")
        card = _checked_card(request.card)
        if isinstance(card, ChargeResult):
            return card
        return self._charge(request, card)

    def _charge(self, request: ChargeRequest, card) -> ChargeResult:
        if card.decline_code:
            status = "failed"
        elif card.requires_three_d_secure:
            status = "requires_action"
        else:
            status = "succeeded"
        charge = SandboxCharge.objects.create(
            merchant_reference=request.reference,
            amount=request.amount,
            currency=request.currency,
            status=status,
            card_brand=card.brand,
            card_last4=card.last4,
            card_exp_month=card.exp_month,
            card_exp_year=card.exp_year,
            decline_code=card.decline_code,
            return_url=request.return_url,
        )
        return _result(charge)

    def card_tokenize(self, card: CardDetails) -> TokenizeResult | ChargeResult:
        """Keep the card's behaviour, brand, last four and expiry under a token; a card that
        fails the checks answers with the same failure a charge would."""
        checked = _checked_card(card)
        if isinstance(checked, ChargeResult):
            return checked
        checked.save()
        return TokenizeResult(
            token=checked.token,
            card=CardSummary(brand=checked.brand, last4=checked.last4, exp_month=checked.exp_month, exp_year=checked.exp_year),
        )

    def charge_complete_action(self, provider_reference: str, *, approved: bool) -> ChargeResult:
        charge = SandboxCharge.objects.select_for_update(of=("self",)).get(reference=provider_reference)
        if charge.status == "requires_action":
            charge.status = "succeeded" if approved else "failed"
            charge.decline_code = "" if approved else "authentication_failed"
            charge.save(update_fields=["status", "decline_code"])
        return _result(charge)

    def refund_create(
        self, provider_reference: str, *, amount: int, currency: str, reference: str
    ) -> RefundResult:
        # The sandbox's own records change together, whatever transaction the caller is in.
        with transaction.atomic():
            existing = SandboxRefund.objects.filter(merchant_reference=reference).first()
            if existing is not None:
                return RefundResult(succeeded=True, provider_reference=existing.reference)
            charge = SandboxCharge.objects.select_for_update().get(reference=provider_reference)
            if charge.status != "succeeded":
                return RefundResult(succeeded=False, failure_reason="charge_not_captured")
            if currency != charge.currency or amount <= 0 or charge.amount_refunded + amount > charge.amount:
                return RefundResult(succeeded=False, failure_reason="amount_too_large")
            charge.amount_refunded += amount
            charge.save(update_fields=["amount_refunded"])
            refund = SandboxRefund.objects.create(merchant_reference=reference, charge=charge, amount=amount)
            return RefundResult(succeeded=True, provider_reference=refund.reference)


def sandbox_card_fund(token: str) -> bool:
    """Test helper: the card behind a sandbox token now has money (its insufficient_funds
    decline is lifted). Answers whether there was such a card."""
    return SandboxCard.objects.filter(token=token, decline_code="insufficient_funds").update(decline_code="") == 1


def sandbox_card_drain(token: str) -> bool:
    """Test helper: the card behind a sandbox token has run out of money; its charges are
    declined for insufficient funds until ``sandbox_card_fund``. Answers whether there was
    such a card."""
    return SandboxCard.objects.filter(token=token).update(decline_code="insufficient_funds") == 1
