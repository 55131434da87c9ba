"""A service's refusal (``PaydeskError``) in the staff member's language.

Services speak English with stable codes; the dashboard shows the words for the codes it
knows and falls back to the service's own message for a code added later.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from paydesk.core.errors import PaydeskError


def _messages() -> dict[str, str]:
    # Built on each call so every message is in the language active for this request.
    return {
        "invoice_unexpected_state": _("This invoice's status does not allow that any more. Reload the page to see it."),
        "invoice_has_payments": _("This invoice has payments. Refund them before voiding it."),
        "invoice_not_sendable": _("Only a finalized invoice can be sent. Finalize the draft first."),
        "invoice_not_open": _("This invoice is a draft. Finalize it before recording a payment."),
        "invoice_already_paid": _("This invoice is already paid."),
        "invoice_void": _("This invoice was voided and cannot be paid."),
        "invoice_uncollectible": _("This invoice was written off and cannot be paid."),
        "customer_email_missing": _("The customer has no email address. Add one before sending."),
        "payment_not_refundable": _("Only a succeeded payment can be refunded."),
        "charge_already_refunded": _("This payment has already been refunded in full."),
        "payment_method_invalid": _("Choose cash, bank transfer, cheque or other."),
        "reason_invalid": _("Choose one of the listed reasons."),
        "discount_too_large": _("The discount is larger than the subtotal."),
        "currency_invalid": _("Choose a currency from the list."),
        "too_many_lines": _("An invoice can have at most 100 lines."),
        "quantity_invalid": _("Enter a whole number from 1 to 1,000,000."),
        "tax_rate_invalid": _("Enter a tax rate from 0 to 100 with at most four decimals."),
        "amount_invalid": _("Enter a positive amount, like 25.00."),
        "resource_missing": _("That record no longer exists."),
    }


def refusal_text(error: PaydeskError, *, limit_text: str = "") -> str:
    """The words to show for ``error``; ``limit_text`` names the most allowed, for "too large"."""
    if error.code == "amount_too_large" and limit_text:
        return _("That is more than the %(limit)s that remains.") % {"limit": limit_text}
    if error.code == "amount_too_large":
        return _("The amount is too large.")
    if error.code == "parameter_missing" and (error.param or "").endswith("[description]"):
        return _("Each line needs a description.")
    if error.code == "parameter_missing" and error.param == "lines":
        return _("An invoice needs at least one line.")
    return _messages().get(error.code, error.message)
