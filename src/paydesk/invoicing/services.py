"""Every write to invoices: create a draft, finalize, void, write off, apply a payment."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from paydesk.api.objects import invoice_object
from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.core.money import MAX_AMOUNT_MINOR, is_supported_currency
from paydesk.core.transitions import check_transition
from paydesk.customers.models import Customer
from paydesk.events.services import event_record
from paydesk.ledger.enums import JournalKind, LedgerAccount
from paydesk.ledger.services import Posting, ledger_post

from .calculation import LineInput, invoice_amounts
from .enums import INVOICE_TRANSITIONS, InvoiceStatus
from .models import Invoice, InvoiceLine

MAX_LINES = 100
MAX_QUANTITY = 1_000_000
MAX_TAX_RATE = Decimal(100)


@dataclass(frozen=True)
class NewLine:
    description: str
    quantity: int
    unit_amount: int
    tax_rate_percent: Decimal = Decimal(0)


def _check_lines(lines: list[NewLine]) -> None:
    if not lines:
        raise PaydeskError("parameter_missing", "An invoice needs at least one line.", param="lines")
    if len(lines) > MAX_LINES:
        raise PaydeskError("too_many_lines", f"An invoice can have at most {MAX_LINES} lines.", param="lines")
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        if not line.description.strip():
            raise PaydeskError("parameter_missing", "Each line needs a description.", param=f"{where}[description]")
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise PaydeskError(
                "quantity_invalid",
                f"Quantity must be a whole number from 1 to {MAX_QUANTITY}.",
                param=f"{where}[quantity]",
            )
        if not 0 <= line.unit_amount <= MAX_AMOUNT_MINOR:
            raise PaydeskError(
                "amount_invalid",
                "Unit amount must be a whole number of minor units from 0 to 10^12.",
                param=f"{where}[unit_amount]",
            )
        rate = line.tax_rate_percent
        if not (0 <= rate <= MAX_TAX_RATE) or rate.as_tuple().exponent < -4:
            raise PaydeskError(
                "tax_rate_invalid",
                "Tax rate must be a percentage from 0 to 100 with at most four decimals.",
                param=f"{where}[tax_rate_percent]",
            )


def _record(invoice: Invoice, type: str) -> None:
    event_record(
        business=invoice.business, livemode=invoice.livemode, type=type, data=invoice_object(invoice)
    )


@transaction.atomic
def invoice_create(
    *,
    business: Business,
    livemode: bool,
    customer: Customer,
    currency: str,
    lines: list[NewLine],
    due_date: datetime.date | None = None,
    discount_amount: int = 0,
    description: str = "",
) -> Invoice:
    """A draft invoice with its lines and computed amounts.

    Refuses: an unknown currency, no lines, bad quantities or amounts, a discount larger
    than the subtotal, a total past 10^12 minor units, a customer of another business.
    """
    if customer.business_id != business.pk or customer.livemode != livemode:
        raise PaydeskError("resource_missing", "No such customer.", param="customer", http_status=404)
    if not is_supported_currency(currency):
        raise PaydeskError("currency_invalid", f"Unsupported currency '{currency}'.", param="currency")
    _check_lines(lines)
    if not 0 <= discount_amount <= MAX_AMOUNT_MINOR:
        raise PaydeskError("amount_invalid", "Discount must not be negative.", param="discount_amount")
    subtotal = sum(line.quantity * line.unit_amount for line in lines)
    if subtotal > MAX_AMOUNT_MINOR:
        raise PaydeskError("amount_too_large", "The invoice total is too large.", param="lines")
    if discount_amount > subtotal:
        raise PaydeskError(
            "discount_too_large", "The discount is larger than the subtotal.", param="discount_amount"
        )
    amounts = invoice_amounts(
        [LineInput(line.description, line.quantity, line.unit_amount, line.tax_rate_percent) for line in lines],
        discount_amount,
    )
    if amounts.total > MAX_AMOUNT_MINOR:
        raise PaydeskError("amount_too_large", "The invoice total is too large.", param="lines")
    invoice = Invoice.objects.create(
        business=business,
        livemode=livemode,
        customer=customer,
        currency=currency,
        due_date=due_date,
        description=description,
        subtotal=amounts.subtotal,
        discount_amount=amounts.discount,
        tax=amounts.tax,
        total=amounts.total,
        created=clock.now(),
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=position,
                description=line.description.strip(),
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                tax_rate_percent=line.tax_rate_percent,
                amount=line_amounts.amount,
                discount_amount=line_amounts.discount_amount,
                tax_amount=line_amounts.tax_amount,
            )
            for position, (line, line_amounts) in enumerate(zip(lines, amounts.lines))
        ]
    )
    _record(invoice, "invoice.created")
    return invoice


def invoice_lock(invoice_id: int) -> Invoice:
    """The invoice, row-locked for the caller's transaction (only its own row: other rows of
    the business stay free), with what every invoice event shows (its business, customer and
    lines) read once."""
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("business", "customer")
        .prefetch_related("lines")
        .get(pk=invoice_id)
    )


@transaction.atomic
def invoice_finalize(*, invoice: Invoice) -> Invoice:
    """Open a draft: give it the next number of the series and book the receivable.

    A zero-total invoice is paid the moment it is finalized: nothing is owed.
    """
    invoice = invoice_lock(invoice.pk)
    check_transition("invoice", INVOICE_TRANSITIONS, invoice.status, InvoiceStatus.OPEN)
    business = Business.objects.select_for_update(of=("self",)).get(pk=invoice.business_id)
    invoice.number = f"{business.invoice_number_prefix}-{business.next_invoice_number:04d}"
    business.next_invoice_number += 1
    business.save(update_fields=["next_invoice_number"])
    invoice.status = InvoiceStatus.OPEN.value
    invoice.finalized_at = clock.now()
    invoice.save(update_fields=["number", "status", "finalized_at"])
    if invoice.total > 0:
        ledger_post(
            business=invoice.business,
            livemode=invoice.livemode,
            kind=JournalKind.INVOICE_FINALIZED,
            description=f"Invoice {invoice.number}",
            currency=invoice.currency,
            postings=[
                Posting(LedgerAccount.ACCOUNTS_RECEIVABLE, invoice.total),
                Posting(LedgerAccount.REVENUE, -(invoice.subtotal - invoice.discount_amount)),
                Posting(LedgerAccount.TAX_PAYABLE, -invoice.tax),
            ],
            invoice=invoice,
        )
    _record(invoice, "invoice.finalized")
    if invoice.total == 0:
        check_transition("invoice", INVOICE_TRANSITIONS, invoice.status, InvoiceStatus.PAID)
        invoice.status = InvoiceStatus.PAID.value
        invoice.paid_at = clock.now()
        invoice.save(update_fields=["status", "paid_at"])
        _record(invoice, "invoice.paid")
    return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice) -> Invoice:
    """Cancel an invoice nobody has paid anything on; reverse its receivable.

    Refuses an invoice with payments (a paid amount is history the books keep; refund it and
    mark the invoice uncollectible instead).
    """
    invoice = invoice_lock(invoice.pk)
    check_transition("invoice", INVOICE_TRANSITIONS, invoice.status, InvoiceStatus.VOID)
    if invoice.amount_paid > 0:
        raise PaydeskError(
            "invoice_has_payments",
            "This invoice has payments, so it cannot be voided; refund the payments and write off what remains instead.",
        )
    was_open = invoice.status == InvoiceStatus.OPEN
    invoice.status = InvoiceStatus.VOID.value
    invoice.voided_at = clock.now()
    invoice.save(update_fields=["status", "voided_at"])
    if was_open and invoice.total > 0:
        ledger_post(
            business=invoice.business,
            livemode=invoice.livemode,
            kind=JournalKind.INVOICE_VOIDED,
            description=f"Invoice {invoice.number} voided",
            currency=invoice.currency,
            postings=[
                Posting(LedgerAccount.ACCOUNTS_RECEIVABLE, -invoice.total),
                Posting(LedgerAccount.REVENUE, invoice.subtotal - invoice.discount_amount),
                Posting(LedgerAccount.TAX_PAYABLE, invoice.tax),
            ],
            invoice=invoice,
        )
    _end_plans(invoice)
    _record(invoice, "invoice.voided")
    return invoice


@transaction.atomic
def invoice_mark_uncollectible(*, invoice: Invoice) -> Invoice:
    """Write off what remains of an open invoice as bad debt."""
    invoice = invoice_lock(invoice.pk)
    check_transition("invoice", INVOICE_TRANSITIONS, invoice.status, InvoiceStatus.UNCOLLECTIBLE)
    remaining = invoice.total - invoice.amount_paid
    invoice.status = InvoiceStatus.UNCOLLECTIBLE.value
    invoice.marked_uncollectible_at = clock.now()
    invoice.save(update_fields=["status", "marked_uncollectible_at"])
    if remaining > 0:
        ledger_post(
            business=invoice.business,
            livemode=invoice.livemode,
            kind=JournalKind.INVOICE_WRITTEN_OFF,
            description=f"Invoice {invoice.number} written off",
            currency=invoice.currency,
            postings=[
                Posting(LedgerAccount.BAD_DEBT, remaining),
                Posting(LedgerAccount.ACCOUNTS_RECEIVABLE, -remaining),
            ],
            invoice=invoice,
        )
    _end_plans(invoice)
    _record(invoice, "invoice.marked_uncollectible")
    return invoice


def _end_plans(invoice: Invoice) -> None:
    # Imported here: plans build on invoices.
    from paydesk.terms.services import plans_end_for_invoice

    plans_end_for_invoice(invoice)


def invoice_apply_payment(*, invoice: Invoice, amount: int) -> Invoice:
    """Count ``amount`` as paid on a row-locked open invoice; mark it paid when nothing remains.

    The caller holds the invoice's row lock and writes the allocation and ledger entries in
    the same transaction. Refuses an overpayment outright: that is a bug upstream.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice_apply_payment needs the caller's transaction and lock")
    assert invoice.status == InvoiceStatus.OPEN, invoice.status
    assert 0 < amount <= invoice.total - invoice.amount_paid, (amount, invoice.amount_paid)
    invoice.amount_paid += amount
    fields = ["amount_paid"]
    if invoice.amount_paid == invoice.total:
        check_transition("invoice", INVOICE_TRANSITIONS, invoice.status, InvoiceStatus.PAID)
        invoice.status = InvoiceStatus.PAID.value
        invoice.paid_at = clock.now()
        fields += ["status", "paid_at"]
    invoice.save(update_fields=fields)
    _record(invoice, "invoice.payment_succeeded")
    if invoice.status == InvoiceStatus.PAID:
        _record(invoice, "invoice.paid")
    return invoice


@transaction.atomic
def invoice_choose_pay_on_delivery(*, invoice: Invoice) -> Invoice:
    """The customer will pay cash on delivery or in store; staff record it when paid.

    Refuses when the business does not offer it or the invoice is not open.
    """
    invoice = invoice_lock(invoice.pk)
    if not invoice.business.accepts_pay_on_delivery:
        raise PaydeskError("payment_method_unavailable", "This business does not take payment on delivery.")
    if invoice.status != InvoiceStatus.OPEN:
        raise PaydeskError("invoice_not_open", "Only an open invoice can be paid on delivery.")
    if not invoice.pay_on_delivery:
        invoice.pay_on_delivery = True
        invoice.save(update_fields=["pay_on_delivery"])
        _record(invoice, "invoice.updated")
    return invoice
