"""Bank transfers: the customer gets the account details and a unique reference; the
payment stays ``processing`` until the money is seen (a statement import, or the test
helper), and only then is the invoice counted as paid.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from paydesk.businesses.models import Business
from paydesk.core.errors import NotFound, PaydeskError
from paydesk.core.money import minor_unit_exponent
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.models import Invoice
from paydesk.providers.base import ChargeOutcome, ChargeResult

from .enums import PaymentMethodType, PaymentStatus
from .models import Payment
from paydesk.invoicing.services import invoice_lock

from .services import check_payable, new_payment
from .settlement import payment_apply_result

_REFERENCE_ALPHABET = string.ascii_uppercase + string.digits
PROVIDER_NAME = "bank_transfer"


def rf_reference(payload: str) -> str:
    """An ISO 11649 creditor reference ("RF" + two check digits + payload), which banking
    apps validate and carry through to the statement unchanged."""
    payload = payload.upper()
    digits = "".join(str(int(character, 36)) for character in payload + "RF00")
    check = 98 - int(digits) % 97
    return f"RF{check:02d}{payload}"


def rf_reference_valid(reference: str) -> bool:
    compact = reference.replace(" ", "").upper()
    if not (compact.startswith("RF") and 5 <= len(compact) <= 25 and compact[2:4].isdigit() and compact.isalnum()):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(character, 36)) for character in rearranged)) % 97 == 1


@dataclass(frozen=True)
class TransferDetails:
    account_holder: str
    iban: str
    bic: str
    bank_name: str
    local_details: str
    reference: str
    amount: int
    currency: str

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "account_holder": self.account_holder,
            "iban": self.iban or None,
            "bic": self.bic or None,
            "bank_name": self.bank_name or None,
            "local_details": self.local_details or None,
            "amount": self.amount,
            "currency": self.currency,
        }


def bank_transfer_available(business: Business) -> bool:
    return business.accepts_bank_transfer and bool(business.bank_iban or business.bank_local_details)


def _formatted_iban(iban: str) -> str:
    compact = iban.replace(" ", "")
    return " ".join(compact[index : index + 4] for index in range(0, len(compact), 4))


def transfer_details(payment: Payment) -> TransferDetails:
    business = payment.business
    return TransferDetails(
        account_holder=business.bank_account_holder or business.name,
        iban=_formatted_iban(business.bank_iban) if business.bank_iban else "",
        bic=business.bank_bic,
        bank_name=business.bank_name,
        local_details=business.bank_local_details,
        reference=payment.invoice.transfer_reference,
        amount=payment.amount,
        currency=payment.currency,
    )


def epc_qr_payload(details: TransferDetails) -> str | None:
    """The EPC "GiroCode" text a European banking app scans to fill in a SEPA transfer;
    None when the transfer is not in euros to an IBAN (the standard covers only that)."""
    if details.currency != "eur" or not details.iban:
        return None
    amount = f"EUR{details.amount // 100}.{details.amount % 100:02d}"
    lines = [
        "BCD", "002", "1", "SCT", details.bic, details.account_holder[:70], details.iban.replace(" ", ""),
        amount, "", details.reference, "",
    ]
    return "\n".join(lines)


def _ensure_reference(invoice: Invoice) -> str:
    """Give the (row-locked) invoice its transfer reference if it has none yet."""
    if invoice.transfer_reference:
        return invoice.transfer_reference
    for _ in range(5):
        candidate = rf_reference("".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10)))
        try:
            with transaction.atomic():
                Invoice.objects.filter(pk=invoice.pk).update(transfer_reference=candidate)
        except IntegrityError:
            continue
        invoice.transfer_reference = candidate
        return candidate
    raise RuntimeError("could not find a free transfer reference")


def bank_transfer_start(*, invoice: Invoice, amount: int | None = None) -> Payment:
    """Tell the customer how to pay by bank transfer: a ``processing`` payment carrying the
    account details and the invoice's reference. Asking again returns the same instruction.

    Refuses when the business takes no bank transfers or has no account details, and for
    an invoice that cannot be paid.
    """
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        if not bank_transfer_available(invoice.business):
            raise PaydeskError(
                "payment_method_unavailable", "This business does not take bank transfers.", param="payment_method"
            )
        charge_amount = check_payable(invoice, amount)
        _ensure_reference(invoice)
        pending = Payment.objects.filter(
            invoice=invoice, provider=PROVIDER_NAME, status=PaymentStatus.PROCESSING
        ).first()
        if pending is not None:
            return pending
        payment = new_payment(
            invoice,
            amount=charge_amount,
            provider=PROVIDER_NAME,
            method_type=PaymentMethodType.BANK_TRANSFER.value,
            provider_reference=invoice.transfer_reference,
        )
        payment_apply_result(payment, invoice, ChargeResult(outcome=ChargeOutcome.PROCESSING))
    return payment


def bank_transfer_receive(*, business: Business, livemode: bool, reference: str, amount: int, currency: str) -> Payment:
    """Money arrived with ``reference``: settle the waiting transfer (for the amount that
    actually arrived; partial transfers count) and mark the invoice paid when nothing remains.

    Refuses an unknown reference (404), another currency, or more than the invoice still
    owes; such money belongs in the reconciliation exceptions queue, not on the invoice.
    """
    compact = reference.replace(" ", "").upper()
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("business", "customer")
            .filter(business=business, livemode=livemode, transfer_reference=compact)
            .first()
        )
        if invoice is None:
            raise NotFound("transfer reference", reference, param="reference")
        if currency != invoice.currency:
            raise PaydeskError("currency_mismatch", "The transfer is in another currency than the invoice.", param="currency")
        if invoice.status != InvoiceStatus.OPEN:
            raise PaydeskError("invoice_not_open", "The invoice for this reference is not open.", param="reference")
        check_payable(invoice, amount)
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .filter(invoice=invoice, provider=PROVIDER_NAME, status=PaymentStatus.PROCESSING)
            .first()
        )
        if payment is None:
            payment = new_payment(
                invoice, amount=amount, provider=PROVIDER_NAME,
                method_type=PaymentMethodType.BANK_TRANSFER.value, provider_reference=compact,
            )
        elif payment.amount != amount:
            # Nothing was booked for the instruction yet, so it can take the amount that came.
            payment.amount = amount
            payment.save(update_fields=["amount"])
        payment_apply_result(payment, invoice, ChargeResult(outcome=ChargeOutcome.SUCCEEDED, provider_reference=compact))
    return payment


def amount_major_text(amount_minor: int, currency: str) -> str:
    """"12.50" for 1250 usd: the plain figure a person types into a banking app."""
    exponent = minor_unit_exponent(currency)
    if exponent == 0:
        return str(amount_minor)
    return f"{amount_minor // 10**exponent}.{amount_minor % 10**exponent:0{exponent}d}"
