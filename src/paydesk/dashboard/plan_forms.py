"""The forms of the payment plan pages: the business's plan policy, a plan staff set up for
an invoice, and staff's answer to a customer's request.

Amounts are typed in major units ("10.00") and become minor units here, with the same
parser as the dashboard's other amount fields; the plan services apply the rules of plans.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.core.money import MAX_AMOUNT_MINOR, minor_unit_exponent
from paydesk.terms.enums import PlanInterval
from paydesk.terms.services import MAX_PARTS

from .forms import amount_from_text, optional_amount
from .refusals import refusal_text
from .templatetags.plan_tags import card_text

# Bounds staff may give the policy: what a small business could sensibly offer.
MAX_INSTALLMENTS_RANGE = (2, 24)
LONGEST_SPAN_DAYS_RANGE = (1, 1825)
DEPOSIT_PERCENT_RANGE = (0, 90)
PAY_LATER_DAYS_RANGE = (1, 365)
GRACE_DAYS_RANGE = (0, 30)

AUTO_APPROVE, STAFF_REVIEW = "auto", "review"


class WholeNumberField(forms.IntegerField):
    """A whole number within bounds, refused with one message that names both bounds
    (Django's own says only the one that was crossed, and nothing for "twelve")."""

    def __init__(self, *, low: int, high: int, **kwargs):
        # min_value and max_value give the input its min and max attributes.
        super().__init__(min_value=low, max_value=high, **kwargs)
        self.low, self.high = low, high

    def _range_error(self) -> ValidationError:
        # Worded when it is raised, so it is in the language of the request.
        return ValidationError(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": self.low, "high": self.high},
            code="out_of_range",
        )

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise self._range_error() from None

    def run_validators(self, value):
        if value not in self.empty_values and not self.low <= value <= self.high:
            raise self._range_error()

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric"}


def major_text(amount_minor: int, currency: str) -> str:
    """Minor units as staff type them back: 1000 in USD is "10.00", 500 in JPY is "500"."""
    exponent = minor_unit_exponent(currency)
    return f"{Decimal(amount_minor).scaleb(-exponent):.{exponent}f}"


def _policy_amount(text: str, currency: str, *, allow_zero: bool) -> int:
    amount = amount_from_text(text, currency, allow_zero=allow_zero)
    if amount is None or amount > MAX_AMOUNT_MINOR:
        raise ValidationError(_("Enter an amount like 10.00."))
    return amount


class PlanPolicyForm(forms.Form):
    """What customers may ask for on their own. Staff may still set any plan for an invoice."""

    plans_enabled = forms.BooleanField(label=_("Customers may ask to pay in parts"), required=False)
    max_installments = WholeNumberField(
        low=MAX_INSTALLMENTS_RANGE[0], high=MAX_INSTALLMENTS_RANGE[1], label=_("Most parts a plan may have")
    )
    longest_span_days = WholeNumberField(
        low=LONGEST_SPAN_DAYS_RANGE[0],
        high=LONGEST_SPAN_DAYS_RANGE[1],
        label=_("Longest plan, in days"),
        help_text=_("From the first part to the last."),
    )
    smallest_part = forms.CharField(label=_("Smallest part"), max_length=20)
    deposit_percent = WholeNumberField(
        low=DEPOSIT_PERCENT_RANGE[0],
        high=DEPOSIT_PERCENT_RANGE[1],
        label=_("Deposit, as a percentage of what is owed"),
        help_text=_("The first part is at least this share; 0 for equal parts."),
    )
    minimum_total = forms.CharField(label=_("Smallest invoice total that qualifies"), max_length=20)
    require_good_standing = forms.BooleanField(
        label=_("Only customers in good standing (nothing written off, no plan behind)"), required=False
    )
    approval = forms.ChoiceField(
        label=_("Requests within these rules"),
        choices=[(AUTO_APPROVE, _("Start at once")), (STAFF_REVIEW, _("Wait for staff to review each one"))],
    )
    pay_later_enabled = forms.BooleanField(label=_("Customers may ask to pay everything on one later date"), required=False)
    pay_later_max_days = WholeNumberField(
        low=PAY_LATER_DAYS_RANGE[0],
        high=PAY_LATER_DAYS_RANGE[1],
        label=_("Longest they may wait, in days"),
        help_text=_("Counted from the invoice's due date, or from today for an invoice already overdue."),
    )
    grace_days = WholeNumberField(
        low=GRACE_DAYS_RANGE[0],
        high=GRACE_DAYS_RANGE[1],
        label=_("Days of grace before a plan is past due"),
        help_text=_("A part may stay unpaid this long after its date before reminders start again."),
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        # The policy keeps minor units with no currency of its own; staff think of them in
        # the currency they usually bill in.
        currency_hint = _("In %(currency)s, like 10.00.") % {"currency": currency.upper()}
        for name in ("smallest_part", "minimum_total"):
            self.fields[name].help_text = currency_hint
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    @staticmethod
    def initial_for(policy, currency: str) -> dict:
        return {
            "plans_enabled": policy.plans_enabled,
            "max_installments": policy.max_installments,
            "longest_span_days": policy.longest_span_days,
            "smallest_part": major_text(policy.smallest_part, currency),
            "deposit_percent": policy.deposit_percent,
            "minimum_total": major_text(policy.minimum_total, currency),
            "require_good_standing": policy.require_good_standing,
            "approval": AUTO_APPROVE if policy.auto_approve else STAFF_REVIEW,
            "pay_later_enabled": policy.pay_later_enabled,
            "pay_later_max_days": policy.pay_later_max_days,
            "grace_days": policy.grace_days,
        }

    def clean_smallest_part(self) -> int:
        return _policy_amount(self.cleaned_data["smallest_part"], self.currency, allow_zero=False)

    def clean_minimum_total(self) -> int:
        # Zero is meaningful here: every invoice qualifies.
        return _policy_amount(self.cleaned_data["minimum_total"], self.currency, allow_zero=True)

    def policy_values(self) -> dict:
        """The cleaned form as ``PlanPolicy`` field values."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.fields if name != "approval"}
        values["auto_approve"] = data["approval"] == AUTO_APPROVE
        return values


def _interval_choices():
    return [(PlanInterval.MONTH.value, _("Every month")), (PlanInterval.WEEK.value, _("Every week"))]


class InvoicePlanForm(forms.Form):
    """A plan staff set up for what remains of an invoice. One part is "pay later"."""

    parts = WholeNumberField(
        low=1,
        high=MAX_PARTS,
        label=_("Number of parts"),
        initial=3,
        help_text=_("1 means everything is paid later, on the first date."),
    )
    interval = forms.ChoiceField(label=_("How often"), choices=_interval_choices)
    start_date = forms.DateField(label=_("First date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    deposit = forms.CharField(
        label=_("Deposit"),
        required=False,
        max_length=20,
        help_text=_("A larger first part, like 40.00. Leave empty for equal parts."),
    )
    auto_charge = forms.BooleanField(required=False)

    def __init__(self, *args, currency: str, saved_card, **kwargs):
        super().__init__(*args, prefix="plan", **kwargs)
        self.currency = currency
        self.saved_card = saved_card
        self.fields["start_date"].initial = clock.today
        self.fields["deposit"].widget.attrs["inputmode"] = "decimal"
        if saved_card is None:
            # Nothing to charge: the customer pays each part from the invoice page.
            del self.fields["auto_charge"]
        else:
            self.fields["auto_charge"].label = _("Charge the customer's saved card automatically (%(card)s)") % {
                "card": card_text(saved_card)
            }

    def clean_deposit(self) -> int:
        return optional_amount(self.cleaned_data["deposit"], self.currency) or 0

    def clean_start_date(self):
        start_date = self.cleaned_data["start_date"]
        if start_date < clock.today():
            raise ValidationError(_("The first date cannot be in the past."))
        return start_date


class PlanAnswerForm(forms.Form):
    """Staff's word to the customer with an approval (optional) or a refusal (needed)."""

    message = forms.CharField(
        label=_("Message to the customer"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, prefix: str, required: bool, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["message"].required = required
        if required:
            self.fields["message"].error_messages["required"] = _("Tell the customer why, so they know what they can do.")
            self.fields["message"].help_text = _("Sent to the customer with the answer.")
        else:
            self.fields["message"].help_text = _("Sent to the customer with the schedule.")


def plan_refusal_text(error: PaydeskError) -> str:
    """The plan services' refusals in the page's language."""
    texts = {
        "payment_plan_unexpected_state": _("This plan's status does not allow that any more. Reload the page to see it."),
        "invoice_not_open": _("Only an open invoice with something still owed can be paid by a plan."),
        "plan_exists": _("This invoice already has a payment plan. Cancel it first."),
        "plan_not_live": _("This plan has ended."),
        "start_date_invalid": _("The first date cannot be in the past."),
        "installments_invalid": _("A plan has from 1 to %(most)d parts.") % {"most": MAX_PARTS},
        "installments_too_small": _("What remains is too small to split into that many parts."),
        "deposit_invalid": _("The deposit must be less than what remains, with at least one part after it."),
        "plan_too_long": _("A plan may last at most five years."),
        "interval_invalid": _("Choose every month or every week."),
        "payment_method_missing": _("The customer has no saved card to charge."),
        "nothing_owed": _("Nothing remains to be paid on this invoice."),
    }
    return str(texts.get(error.code, "")) or refusal_text(error)


# Which form field a plan service's ``param`` is about.
_PLAN_FIELD_FOR_PARAM = {
    "installments": "parts",
    "interval": "interval",
    "start_date": "start_date",
    "deposit_amount": "deposit",
    "auto_charge": "auto_charge",
    "payment_method": "auto_charge",
}


def place_plan_refusal(form: InvoicePlanForm, error: PaydeskError) -> bool:
    """Show a refusal of ``plan_create`` next to the field it names; False when it names
    none of the form's fields (the invoice's state), for the caller to say it elsewhere."""
    field = _PLAN_FIELD_FOR_PARAM.get(error.param or "")
    if field not in form.fields:
        return False
    form.add_error(field, plan_refusal_text(error))
    return True
