"""Every write to payments: take a card payment for an invoice, finish 3-D Secure, cancel.

Concurrency: the invoice row is locked (``select_for_update``; on SQLite the write lock
taken at BEGIN IMMEDIATE) before what remains is read, and held until the payment is
recorded, so two payments racing for one invoice can never together pay more than its total.
"""

from __future__ import annotations

from django.db import transaction

from paydesk.core import clock
from paydesk.core.errors import CARD_ERROR, PaydeskError
from paydesk.core.money import MAX_AMOUNT_MINOR
from paydesk.core.transitions import check_transition
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import invoice_lock
from paydesk.providers.base import CardDetails, ChargeOutcome, ChargeRequest, ChargeResult
from paydesk.providers.registry import provider_for, provider_named

from .enums import OFFLINE_METHODS, PAYMENT_TRANSITIONS, PaymentMethodType, PaymentStatus
from .models import Payment, SavedPaymentMethod
from .settlement import payment_apply_result, payment_fail, payment_record_event

_NOT_PAYABLE = {
    InvoiceStatus.DRAFT: ("invoice_not_open", "This invoice is a draft; finalize it before taking payment."),
    InvoiceStatus.PAID: ("invoice_already_paid", "This invoice is already paid."),
    InvoiceStatus.VOID: ("invoice_void", "This invoice was voided and cannot be paid."),
    InvoiceStatus.UNCOLLECTIBLE: (
        "invoice_uncollectible",
        "This invoice was written off and cannot be paid online.",
    ),
}


def check_payable(invoice: Invoice, amount: int | None) -> int:
    """The amount to charge, or a refusal naming what is wrong."""
    status = InvoiceStatus(invoice.status)
    if status in _NOT_PAYABLE:
        code, message = _NOT_PAYABLE[status]
        raise PaydeskError(code, message, param="invoice")
    remaining = invoice.total - invoice.amount_paid
    if amount is None:
        return remaining
    if amount <= 0 or amount > MAX_AMOUNT_MINOR:
        raise PaydeskError("amount_invalid", "The amount must be a positive whole number of minor units.", param="amount")
    if amount > remaining:
        raise PaydeskError(
            "amount_too_large",
            f"The amount is more than the {remaining} that remains on this invoice.",
            param="amount",
        )
    return amount


def new_payment(invoice: Invoice, *, amount: int, provider: str, of_invoice: bool = True, **fields) -> Payment:
    """A payment row for a locked invoice, with its ``payment.created`` event. With
    ``of_invoice=False`` the payment is not that invoice's alone (it pays several; the
    invoice only gives the business, mode and customer)."""
    payment = Payment.objects.create(
        business=invoice.business,
        livemode=invoice.livemode,
        invoice=invoice if of_invoice else None,
        customer=invoice.customer,
        amount=amount,
        currency=invoice.currency,
        provider=provider,
        created=clock.now(),
        **fields,
    )
    payment_record_event(payment, "payment.created")
    return payment


def card_error_for(payment: Payment, param: str | None = None) -> PaydeskError:
    """The 402 answer for a failed card payment; the payment stays retrievable by its id."""
    return PaydeskError(
        payment.failure_code or "card_declined",
        payment.failure_message or "Your card was declined.",
        type=CARD_ERROR,
        param=param,
        decline_code=payment.decline_code or None,
        payment=payment.public_id,
    )


def payment_create(
    *,
    invoice: Invoice,
    card: CardDetails | None = None,
    amount: int | None = None,
    return_url: str = "",
    saved_method: SavedPaymentMethod | None = None,
    save_card: bool = False,
    wallet: str = "",
    wallet_token: str = "",
) -> Payment:
    """Charge a card (typed, saved, or through a wallet) for an open invoice: all that
    remains, or ``amount`` of it.

    Returns the payment in whatever state the provider left it (succeeded, requires_action,
    failed). Refuses before charging: a draft, paid, void or written-off invoice, an amount
    of zero or more than remains, a saved card of another customer. With ``save_card`` the
    card is tokenized first and kept for the customer once the payment succeeds.
    """
    provider = provider_for(business=invoice.business, livemode=invoice.livemode)
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        charge_amount = check_payable(invoice, amount)
        if saved_method is not None and (
            saved_method.customer_id != invoice.customer_id or not saved_method.active or saved_method.removed_at
        ):
            raise PaydeskError("resource_missing", "No such payment method.", param="payment_method", http_status=404)
        payment = new_payment(
            invoice,
            amount=charge_amount,
            provider=provider.info.name,
            return_url=return_url,
            wallet=wallet,
            saved_method=saved_method,
        )
        saved_token = saved_method.provider_token if saved_method is not None else ""
        if save_card and card is not None and saved_method is None:
            tokenized = provider.card_tokenize(card)
            if isinstance(tokenized, ChargeResult):  # the card failed the provider's checks
                payment_apply_result(payment, invoice, tokenized)
                payment.failure_param = tokenized.failure_param
                return payment
            payment.saved_method = SavedPaymentMethod.objects.create(
                business=invoice.business,
                livemode=invoice.livemode,
                customer=invoice.customer,
                provider=provider.info.name,
                provider_token=tokenized.token,
                card_brand=tokenized.card.brand,
                card_last4=tokenized.card.last4,
                card_exp_month=tokenized.card.exp_month,
                card_exp_year=tokenized.card.exp_year,
                created=clock.now(),
            )
            payment.save(update_fields=["saved_method"])
            saved_token, card = tokenized.token, None
        result = provider.charge_create(
            ChargeRequest(
                amount=charge_amount,
                currency=invoice.currency,
                card=card,
                reference=payment.public_id,
                return_url=return_url,
                description=f"Invoice {invoice.number}",
                saved_token=saved_token,
                wallet=wallet,
                wallet_token=wallet_token,
            )
        )
        payment_apply_result(payment, invoice, result)
        payment.failure_param = result.failure_param
    return payment


def payment_create_redirect(
    *, invoice: Invoice, provider_name: str, return_url: str, cancel_url: str, amount: int | None = None
) -> Payment:
    """Start a payment the payer approves on the provider's own site (PayPal): the payment
    waits in ``requires_action`` with the address to send the payer to; coming back,
    ``payment_complete_action`` captures it. Same refusals as a card payment."""
    provider = provider_named(provider_name, business=invoice.business, livemode=invoice.livemode)
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        charge_amount = check_payable(invoice, amount)
        payment = new_payment(
            invoice,
            amount=charge_amount,
            provider=provider.info.name,
            method_type=provider.info.name,
            return_url=return_url,
        )
        separator = "&" if "?" in return_url else "?"
        result = provider.order_create(
            amount=charge_amount,
            currency=invoice.currency,
            reference=payment.public_id,
            return_url=f"{return_url}{separator}payment={payment.public_id}",
            cancel_url=f"{cancel_url}{separator}payment={payment.public_id}",
            description=f"Invoice {invoice.number}",
        )
        payment_apply_result(payment, invoice, result)
    return payment


def payment_start_for_element(*, invoice: Invoice) -> tuple[Payment, str]:
    """Start a payment the browser completes with the provider's own form (Stripe's Payment
    Element: cards, Apple Pay, Google Pay): the payment waits for its method, and the
    client secret goes to the page only. Completed by ``payment_complete_action`` when the
    payer returns, or by the provider's webhook."""
    provider = provider_for(business=invoice.business, livemode=invoice.livemode)
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        amount = check_payable(invoice, None)
        payment = new_payment(invoice, amount=amount, provider=provider.info.name)
        intent = provider.intent_create_for_element(
            amount=amount, currency=invoice.currency, reference=payment.public_id, description=f"Invoice {invoice.number}"
        )
        payment.provider_reference = intent.provider_reference
        payment.save(update_fields=["provider_reference"])
    return payment, intent.client_secret


def payment_complete_action(*, payment: Payment, approved: bool) -> Payment:
    """Finish a payment waiting on 3-D Secure with the payer's answer.

    If the invoice was paid, voided or paid down meanwhile so that this payment no longer
    fits, the payment is canceled instead of charged. Repeating the call changes nothing.
    """
    with transaction.atomic():
        invoice = _lock_invoices_of(payment)
        payment = Payment.objects.select_for_update(of=("self",)).select_related("business").get(pk=payment.pk)
        if payment.status not in (PaymentStatus.REQUIRES_ACTION, PaymentStatus.REQUIRES_PAYMENT_METHOD):
            return payment
        if (invoice is not None and (
            invoice.status != InvoiceStatus.OPEN or payment.amount > invoice.total - invoice.amount_paid
        )) or not _several_still_fit(payment):
            _cancel(payment, reason="invoice_changed")
            return payment
        provider = provider_named(payment.provider, business=payment.business, livemode=payment.livemode)
        result = provider.charge_complete_action(payment.provider_reference, approved=approved)
        if result.outcome == ChargeOutcome.REQUIRES_ACTION:
            return payment  # the payer came back without finishing; it still waits for them
        payment_apply_result(payment, invoice, result)
    return payment


def payment_record_offline(
    *, invoice: Invoice, method: PaymentMethodType, amount: int | None = None, note: str = ""
) -> Payment:
    """Record money staff received by hand (cash, cheque, a transfer seen on the statement).

    Same refusals as a card payment: the invoice must be open and the amount must fit.
    """
    if method not in OFFLINE_METHODS:
        raise PaydeskError("payment_method_invalid", "Choose cash, bank transfer, cheque or other.", param="method")
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        amount = check_payable(invoice, amount)
        payment = new_payment(invoice, amount=amount, provider="offline", method_type=method.value)
        payment_apply_result(payment, invoice, ChargeResult(outcome=ChargeOutcome.SUCCEEDED, provider_reference=note[:100]))
    return payment


def payment_settle_from_provider(*, provider_name: str, provider_reference: str, result: ChargeResult) -> Payment | None:
    """Apply what a provider reported later (a webhook, a poll): a 3-D Secure or
    asynchronous payment succeeded or failed.

    Idempotent: a payment already final is left as it is, so a repeated webhook changes
    nothing. Returns None when no payment has that reference. If the invoice can no longer
    take the money, the payment is canceled (the adapter should then refund at the provider).
    """
    with transaction.atomic():
        found = Payment.objects.filter(provider=provider_name, provider_reference=provider_reference).first()
        if found is None:
            return None
        invoice = _lock_invoices_of(found)
        payment = Payment.objects.select_for_update(of=("self",)).select_related("business").get(pk=found.pk)
        if payment.status not in (PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_PAYMENT_METHOD):
            return payment
        fits = (invoice is None or (
            invoice.status == InvoiceStatus.OPEN and payment.amount <= invoice.total - invoice.amount_paid
        )) and _several_still_fit(payment)
        if result.outcome == ChargeOutcome.SUCCEEDED and not fits:
            _cancel(payment, reason="invoice_changed")
            return payment
        if result.outcome == ChargeOutcome.REQUIRES_ACTION and payment.status == PaymentStatus.REQUIRES_ACTION:
            return payment
        if result.outcome == ChargeOutcome.PROCESSING and payment.status == PaymentStatus.PROCESSING:
            return payment
        payment_apply_result(payment, invoice, result)
    return payment


def _lock_invoices_of(payment: Payment) -> Invoice | None:
    """Lock what the payment pays before the payment itself (invoices first, in id order):
    its invoice (answered), or each of several (answered None)."""
    if payment.several_invoices:
        from .several import invoices_locked_for

        invoices_locked_for(payment)
        return None
    return invoice_lock(payment.invoice_id) if payment.invoice_id is not None else None


def _several_still_fit(payment: Payment) -> bool:
    """For a payment of several invoices: lock them all (in id order) and answer whether
    each can still take its share. Always true for a payment of one invoice."""
    if not payment.several_invoices:
        return True
    from .several import invoices_locked_for, split_still_fits

    return split_still_fits(payment, invoices_locked_for(payment))


def _cancel(payment: Payment, *, reason: str) -> None:
    check_transition("payment", PAYMENT_TRANSITIONS, payment.status, PaymentStatus.CANCELED)
    payment.status = PaymentStatus.CANCELED.value
    payment.canceled_at = clock.now()
    payment.failure_code = reason
    payment.next_action_url = ""
    payment.save(update_fields=["status", "canceled_at", "failure_code", "next_action_url"])
    payment_record_event(payment, "payment.canceled")


@transaction.atomic
def payment_cancel(*, payment: Payment) -> Payment:
    """Cancel a payment that has not been charged (waiting for a method or for 3-D Secure)."""
    payment = Payment.objects.select_for_update(of=("self",)).select_related("business").get(pk=payment.pk)
    _cancel(payment, reason="requested_by_customer")
    return payment


__all__ = [
    "payment_create",
    "payment_record_offline",
    "payment_complete_action",
    "payment_create_redirect",
    "payment_settle_from_provider",
    "payment_cancel",
    "card_error_for",
    "payment_fail",
]
