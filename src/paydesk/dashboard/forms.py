"""The dashboard's forms: what staff type, checked and turned into service arguments.

Amounts are typed as people write them ("12.50", "12,50", "1 200") and become integers of
minor units here; the services then apply the rules of money (limits, what remains).
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import get_currency_name, get_territory_currencies
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.core.money import supported_currencies
from paydesk.customers.models import Customer
from paydesk.invoicing.services import MAX_LINES, MAX_QUANTITY, NewLine
from paydesk.core.money import parse_major_amount

from . import labels
from .refusals import refusal_text

EMPTY_LINE_ROWS = 5


class StaffLoginForm(AuthenticationForm):
    """Django's login form, with the username called what it is: the email address."""

    error_messages = {
        "invalid_login": _("That email and password do not match an account. Check both and try again."),
        "inactive": _("This account is switched off. Ask the business owner to switch it on."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email")
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
        self.fields["password"].label = _("Password")


def amount_from_text(text: str, currency: str, *, allow_zero: bool = False) -> int | None:
    """Minor units from what staff typed; None when it is not a plain amount.

    Zero is only an amount where it means something (a free line or no discount), never
    for money that moves, so payments and refunds call ``parse_major_amount`` directly.
    """
    if allow_zero and re.fullmatch(r"0+([.,]0*)?", (text or "").strip()):
        return 0
    return parse_major_amount(text, currency)


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False, help_text=_("Invoices and receipts are sent here."))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    preferred_locale = forms.ChoiceField(
        label=_("Language for emails and pages"),
        required=False,
        choices=[("", _("Same as their browser")), ("en", "English"), ("ru", "Русский")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})


@functools.cache
def _current_currencies() -> tuple[str, ...]:
    """Currencies some country uses today: babel also knows withdrawn ones (ITL, DEM) that
    no invoice should be written in, though the services accept them."""
    today = clock.today()
    current = set()
    for territory in Locale("en").territories:
        current.update(code.lower() for code in get_territory_currencies(territory, today))
    return tuple(sorted(current & supported_currencies()))


def _currency_choices() -> list[tuple[str, str]]:
    """Choices like "USD — US Dollar", named in the page's language."""
    locale = translation.get_language() or "en"
    return [(code, f"{code.upper()} — {get_currency_name(code.upper(), locale=locale)}") for code in _current_currencies()]


class InvoiceForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, to_field_name="public_id", empty_label=_("Choose a customer"))
    currency = forms.ChoiceField(label=_("Currency"), choices=_currency_choices)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    discount = forms.CharField(
        label=_("Discount"), required=False, max_length=20, help_text=_("An amount off the whole invoice, like 10.00.")
    )
    description = forms.CharField(
        label=_("Note for the customer"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["discount"].widget.attrs["inputmode"] = "decimal"


class LineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=500)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    unit_price = forms.CharField(label=_("Unit price"), max_length=20)
    tax_rate = forms.CharField(label=_("Tax %"), max_length=10, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].widget.attrs["inputmode"] = "decimal"
        self.fields["tax_rate"].widget.attrs["inputmode"] = "decimal"
        self.fields["quantity"].widget.attrs["inputmode"] = "numeric"

    def clean_tax_rate(self) -> Decimal:
        text = self.cleaned_data["tax_rate"].strip().replace(",", ".").rstrip("%").strip()
        if not text:
            return Decimal(0)
        try:
            rate = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter a percentage like 20 or 7.5.")) from None
        if not rate.is_finite() or not 0 <= rate <= 100 or rate.as_tuple().exponent < -4:
            raise forms.ValidationError(_("Enter a tax rate from 0 to 100 with at most four decimals."))
        return rate


LineFormSet = forms.formset_factory(
    LineForm, extra=EMPTY_LINE_ROWS, max_num=MAX_LINES, absolute_max=MAX_LINES, validate_max=True
)


@dataclass
class InvoiceDraft:
    """What ``invoice_create`` needs, and which form row each line came from."""

    customer: Customer
    currency: str
    lines: list[NewLine]
    row_for_line: list[int]
    due_date: datetime.date | None = None
    discount_amount: int = 0
    description: str = ""


# Which form field a service's ``param`` is about.
_LINE_FIELD_FOR_PARAM = {
    "[description]": "description",
    "[quantity]": "quantity",
    "[unit_amount]": "unit_price",
    "[tax_rate_percent]": "tax_rate",
}
_INVOICE_FIELD_FOR_PARAM = {
    "customer": "customer",
    "currency": "currency",
    "discount_amount": "discount",
    "description": "description",
}


@dataclass
class InvoiceSubmission:
    form: InvoiceForm
    lines: LineFormSet
    draft: InvoiceDraft | None = None
    general_errors: list[str] = field(default_factory=list)

    def place_refusal(self, error: PaydeskError) -> None:
        """Put a service's refusal next to the field it names, or above the form."""
        text = refusal_text(error)
        param = error.param or ""
        if param.startswith("lines[") and self.draft is not None:
            index_text, _bracket, rest = param[len("lines[") :].partition("]")
            field_name = _LINE_FIELD_FOR_PARAM.get(rest)
            if index_text.isdigit() and int(index_text) < len(self.draft.row_for_line) and field_name:
                self.lines.forms[self.draft.row_for_line[int(index_text)]].add_error(field_name, text)
                return
        form_field = _INVOICE_FIELD_FOR_PARAM.get(param)
        if form_field:
            self.form.add_error(form_field, text)
        else:
            self.general_errors.append(text)


def read_invoice_submission(data, *, customers) -> InvoiceSubmission:
    """Check the invoice form and its line rows; a draft only when everything reads well.

    Blank rows are skipped (the form offers spare rows); at least one line is needed.
    Prices are read even when another field is wrong, so every mistake shows at once.
    """
    submission = InvoiceSubmission(form=InvoiceForm(data, customers=customers), lines=LineFormSet(data, prefix="lines"))
    form, line_forms = submission.form, submission.lines
    form.is_valid()
    line_forms.is_valid()
    # Amounts can only be read in a known currency (yen have no cents).
    currency = form.cleaned_data.get("currency")
    discount = 0
    discount_text = form.cleaned_data.get("discount", "").strip()
    if currency and discount_text:
        discount = amount_from_text(discount_text, currency, allow_zero=True)
        if discount is None:
            form.add_error("discount", _("Enter an amount like 10.00, or leave it empty."))
    lines, rows = [], []
    for row, line_form in enumerate(line_forms.forms):
        if not line_form.has_changed():
            continue
        price_text = line_form.cleaned_data.get("unit_price")
        unit_amount = amount_from_text(price_text, currency, allow_zero=True) if currency and price_text else None
        if currency and price_text and unit_amount is None:
            line_form.add_error("unit_price", _("Enter a price like 12.50."))
        if line_form.errors or unit_amount is None:
            continue
        lines.append(
            NewLine(
                description=line_form.cleaned_data["description"],
                quantity=line_form.cleaned_data["quantity"],
                unit_amount=unit_amount,
                tax_rate_percent=line_form.cleaned_data["tax_rate"],
            )
        )
        rows.append(row)
    line_errors = line_forms.non_form_errors() or any(line_form.errors for line_form in line_forms.forms)
    if not rows and not line_errors:
        submission.general_errors.append(str(_("Add at least one line: a description and a price.")))
    if form.errors or line_errors or submission.general_errors:
        return submission
    submission.draft = InvoiceDraft(
        customer=form.cleaned_data["customer"],
        currency=currency,
        lines=lines,
        row_for_line=rows,
        due_date=form.cleaned_data["due_date"],
        discount_amount=discount,
        description=form.cleaned_data["description"].strip(),
    )
    return submission


def _offline_method_choices():
    return [(code, labels.PAYMENT_METHOD[code]) for code in ("cash", "bank_transfer", "cheque", "other")]


class OfflinePaymentForm(forms.Form):
    """Money received by hand. An empty amount means everything that remains."""

    method = forms.ChoiceField(label=_("How it was paid"), choices=_offline_method_choices)
    amount = forms.CharField(
        label=_("Amount received"), required=False, max_length=20, help_text=_("Leave empty for the full amount that remains.")
    )
    note = forms.CharField(
        label=_("Reference or note"), required=False, max_length=100, help_text=_("A cheque number or the bank's reference.")
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, prefix="payment", **kwargs)
        self.currency = currency
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"

    def clean_amount(self) -> int | None:
        return optional_amount(self.cleaned_data["amount"], self.currency)


def optional_amount(text: str, currency: str) -> int | None:
    """An amount typed by staff ("25.00", "25,00") in minor units; None when left empty."""
    text = text.strip()
    if not text:
        return None
    amount = parse_major_amount(text, currency)
    if amount is None:
        raise forms.ValidationError(_("Enter an amount like 25.00, or leave it empty."))
    return amount


def _refund_reason_choices():
    return [(code, labels.REFUND_REASON[code]) for code in ("", "requested_by_customer", "duplicate", "fraudulent")]


class RefundForm(forms.Form):
    """A refund of part or all of a payment. An empty amount refunds everything refundable."""

    amount = forms.CharField(
        label=_("Amount to refund"), required=False, max_length=20, help_text=_("Leave empty to refund everything that can be refunded.")
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=_refund_reason_choices, required=False)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, prefix="refund", **kwargs)
        self.currency = currency
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"

    def clean_amount(self) -> int | None:
        return optional_amount(self.cleaned_data["amount"], self.currency)


def place_refusal_on(form: forms.Form, error: PaydeskError, *, fields: dict[str, str], limit_text: str = "") -> None:
    """Show a service's refusal next to the form field its ``param`` names, else above the form."""
    form.add_error(fields.get(error.param or ""), refusal_text(error, limit_text=limit_text))
