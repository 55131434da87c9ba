"""Money staff received by hand: cash, a cheque, a bank transfer seen on the statement.

Not a real provider: nothing is charged. It exists so offline payments and their refunds
take the same path through payments, the ledger and events as card payments.
"""

from __future__ import annotations

from paydesk.core.errors import PaydeskError

from .base import Capability, ChargeOutcome, ChargeRequest, ChargeResult, ProviderInfo, RefundResult


class OfflineProvider:
    """One instance per kind of money received outside a card network."""

    def __init__(self, name: str = "offline") -> None:
        self.info = ProviderInfo(name=name, capabilities=frozenset({Capability.REFUND, Capability.PARTIAL_REFUND}))

    def charge_create(self, request: ChargeRequest) -> ChargeResult:
        # Never asked: staff record offline money with payments.services.payment_record_offline.
        raise PaydeskError("payment_method_unavailable", "Offline payments are recorded by staff, not charged.")

    def charge_complete_action(self, provider_reference: str, *, approved: bool) -> ChargeResult:
        return ChargeResult(outcome=ChargeOutcome.FAILED, failure_code="not_supported")

    def card_tokenize(self, card):
        raise PaydeskError("payment_method_unavailable", "Offline payments have no cards to keep.")

    def refund_create(self, provider_reference: str, *, amount: int, currency: str, reference: str) -> RefundResult:
        # Staff hand the money back themselves; recording it is all there is to do.
        return RefundResult(succeeded=True, provider_reference=reference)
