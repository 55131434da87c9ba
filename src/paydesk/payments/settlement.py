"""What happens when a provider answers: the payment's new status, and for a success the
allocation, the ledger entries and the events, all in the caller's transaction.
"""

from __future__ import annotations

from paydesk.api.objects import payment_object
from paydesk.core import clock
from paydesk.core.transitions import check_transition
from paydesk.events.services import event_record
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import invoice_apply_payment
from paydesk.ledger.enums import JournalKind, LedgerAccount
from paydesk.ledger.services import Posting, ledger_post
from paydesk.terms.allocation import plan_allocate_payment
from paydesk.providers.base import ChargeOutcome, ChargeResult

from .enums import PAYMENT_TRANSITIONS, PaymentStatus
from .models import Payment, PaymentAllocation


# Where a provider's money sits until it reaches the bank.
_CASH_ACCOUNT = {"offline": LedgerAccount.CASH_ON_HAND, "bank_transfer": LedgerAccount.CASH_AT_BANK}


def cash_account_for(provider_name: str) -> LedgerAccount:
    return _CASH_ACCOUNT.get(provider_name, LedgerAccount.CASH_AT_PROVIDER)


def payment_record_event(payment: Payment, type: str) -> None:
    event_record(
        business=payment.business,
        livemode=payment.livemode,
        type=type,
        data=payment_object(payment),
        subject=payment,
    )


def _move(payment: Payment, target: PaymentStatus) -> None:
    check_transition("payment", PAYMENT_TRANSITIONS, payment.status, target)
    payment.status = target.value


# What _copy_card may change; saved with every status change (only these columns, not all).
_CARD_FIELDS = ("provider_reference", "card_brand", "card_last4", "card_exp_month", "card_exp_year")


def _copy_card(payment: Payment, result: ChargeResult) -> None:
    if result.provider_reference:
        payment.provider_reference = result.provider_reference
    if result.card is not None:
        payment.card_brand = result.card.brand
        payment.card_last4 = result.card.last4
        payment.card_exp_month = result.card.exp_month
        payment.card_exp_year = result.card.exp_year


def payment_fail(payment: Payment, *, failure_code: str, decline_code: str = "", message: str) -> None:
    _move(payment, PaymentStatus.FAILED)
    payment.failure_code = failure_code
    payment.decline_code = decline_code
    payment.failure_message = message
    payment.failed_at = clock.now()
    payment.next_action_url = ""
    payment.save(update_fields=[*_CARD_FIELDS, "status", "failure_code", "decline_code", "failure_message", "failed_at", "next_action_url"])
    payment_record_event(payment, "payment.failed")


def _succeed(payment: Payment, shares: list[tuple[Invoice, int]], result: ChargeResult) -> None:
    _move(payment, PaymentStatus.SUCCEEDED)
    payment.fee_amount = result.fee_amount
    payment.succeeded_at = clock.now()
    payment.next_action_url = ""
    payment.save(update_fields=[*_CARD_FIELDS, "status", "fee_amount", "succeeded_at", "next_action_url"])
    cash_account = cash_account_for(payment.provider)
    for paid_invoice, amount in shares:
        PaymentAllocation.objects.create(payment=payment, invoice=paid_invoice, amount=amount, created=clock.now())
        ledger_post(
            business=payment.business,
            livemode=payment.livemode,
            kind=JournalKind.PAYMENT_SUCCEEDED,
            description=f"Payment {payment.public_id}",
            currency=payment.currency,
            postings=[Posting(cash_account, amount), Posting(LedgerAccount.ACCOUNTS_RECEIVABLE, -amount)],
            invoice=paid_invoice,
            payment=payment,
        )
    if not shares:
        ledger_post(
            business=payment.business,
            livemode=payment.livemode,
            kind=JournalKind.PAYMENT_SUCCEEDED,
            description=f"Payment {payment.public_id}",
            currency=payment.currency,
            postings=[Posting(cash_account, payment.amount), Posting(LedgerAccount.REVENUE, -payment.amount)],
            payment=payment,
        )
    if payment.fee_amount:
        ledger_post(
            business=payment.business,
            livemode=payment.livemode,
            kind=JournalKind.PROVIDER_FEE,
            description=f"Provider fee on {payment.public_id}",
            currency=payment.currency,
            postings=[
                Posting(LedgerAccount.PROVIDER_FEES, payment.fee_amount),
                Posting(cash_account, -payment.fee_amount),
            ],
            payment=payment,
        )
    if payment.saved_method_id is not None:
        from .saved_methods import saved_method_activate

        saved_method_activate(payment.saved_method)
    for paid_invoice, amount in shares:
        plan_allocate_payment(payment, paid_invoice, amount)
        invoice_apply_payment(invoice=paid_invoice, amount=amount)
    # After the invoice is updated, so the receipt this event triggers shows the new balance.
    payment_record_event(payment, "payment.succeeded")


def _shares(payment: Payment, invoice: Invoice | None) -> list[tuple[Invoice, int]]:
    """Which invoices the payment pays and how much of each: its one invoice, or (a payment
    of several) each of them, row-locked by the caller and read again here."""
    if payment.several_invoices:
        from paydesk.invoicing.services import invoice_lock

        return [(invoice_lock(row["invoice"]), row["amount"]) for row in payment.several_invoices]
    return [(invoice, payment.amount)] if invoice is not None else []


def payment_apply_result(payment: Payment, invoice: Invoice | None, result: ChargeResult) -> Payment:
    """Move a row-locked payment to what the provider said. The invoice, if any, is locked too.

    A success on an invoice that can no longer take it (paid or voided meanwhile, or the
    amount now exceeds what remains) is not counted; the caller must not have let the
    charge happen, so this asserts.
    """
    _copy_card(payment, result)
    if result.outcome == ChargeOutcome.SUCCEEDED:
        shares = _shares(payment, invoice)
        for paid_invoice, amount in shares:
            assert paid_invoice.status == InvoiceStatus.OPEN
            assert amount <= paid_invoice.total - paid_invoice.amount_paid
        _succeed(payment, shares, result)
    elif result.outcome == ChargeOutcome.REQUIRES_ACTION:
        _move(payment, PaymentStatus.REQUIRES_ACTION)
        payment.next_action_url = result.redirect_url
        payment.save(update_fields=[*_CARD_FIELDS, "status", "next_action_url"])
        payment_record_event(payment, "payment.requires_action")
    elif result.outcome == ChargeOutcome.PROCESSING:
        _move(payment, PaymentStatus.PROCESSING)
        payment.save(update_fields=[*_CARD_FIELDS, "status"])
        payment_record_event(payment, "payment.processing")
    else:
        payment_fail(
            payment,
            failure_code=result.failure_code or "card_declined",
            decline_code=result.decline_code,
            message=result.failure_message,
        )
    return payment
