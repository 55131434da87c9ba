"""Words for the codes the models store (statuses, methods, reasons), in the page's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

INVOICE_STATUS = {
    "draft": _("Draft"),
    "open": _("Open"),
    "paid": _("Paid"),
    "void": _("Void"),
    "uncollectible": _("Written off"),
}

PAYMENT_STATUS = {
    "requires_payment_method": _("Awaiting payment"),
    "requires_action": _("Awaiting 3-D Secure"),
    "processing": _("Processing"),
    "succeeded": _("Succeeded"),
    "failed": _("Failed"),
    "canceled": _("Canceled"),
}

REFUND_STATUS = {
    "pending": _("Pending"),
    "succeeded": _("Succeeded"),
    "failed": _("Failed"),
}

MESSAGE_STATUS = {
    "queued": _("Queued"),
    "sent": _("Sent"),
    "stored": _("Stored in outbox"),
    "failed": _("Failed"),
}

PAYMENT_METHOD = {
    "card": _("Card"),
    "cash": _("Cash"),
    "bank_transfer": _("Bank transfer"),
    "cheque": _("Cheque"),
    "other": _("Other"),
}

REFUND_REASON = {
    "": _("No reason given"),
    "requested_by_customer": _("Requested by the customer"),
    "duplicate": _("Duplicate payment"),
    "fraudulent": _("Fraudulent"),
}

MESSAGE_TEMPLATE = {
    "invoice": _("Invoice"),
    "receipt": _("Receipt"),
    "refund": _("Refund"),
    "payment_processing": _("Payment on its way"),
    "payment_failed": _("Payment failed"),
    "reminder_before_due": _("Reminder before the due date"),
    "reminder_due": _("Reminder on the due date"),
    "reminder_overdue": _("Overdue reminder"),
    "automatic_charge_upcoming": _("Upcoming automatic charge"),
    "automatic_charge_failed": _("Automatic charge failed"),
    "automatic_charge_update_card": _("Please update your card"),
    "payment_plan_requested": _("Payment plan requested"),
    "payment_plan_confirmed": _("Payment plan confirmed"),
    "payment_plan_declined": _("Payment plan declined"),
    "payment_plan_canceled": _("Payment plan canceled"),
    "plan_part_upcoming": _("Upcoming charge of a plan part"),
    "plan_part_due_soon": _("Plan part due soon"),
    "plan_part_failed": _("Charge of a plan part failed"),
    "staff_digest": _("Daily digest"),
    "receipt_several": _("Receipt for several invoices"),
    "automatic_charge_held": _("Automatic charge held for confirmation"),
    "charge_notice": _("Word about a charge"),
    "portal_magic_link": _("Link to the customer portal"),
    "support_request_staff": _("Support request"),
}


DECLINE_REASON = {
    "insufficient_funds": _("Not enough money on the card"),
    "generic_decline": _("Declined by the bank"),
    "card_declined": _("Declined by the bank"),
    "expired_card": _("Card expired"),
    "incorrect_cvc": _("Wrong security code"),
    "processing_error": _("Bank could not be reached"),
    "spending_limit": _("Held: above the customer's monthly limit"),
}


def label(table: dict, code: str) -> str:
    """The word for ``code``, or the code itself for one this table does not know yet."""
    return str(table.get(code, code))
