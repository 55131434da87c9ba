"""The customer's own choices, in the portal: language, the channel for each kind of message,
a word about every charge, a monthly limit on automatic charges and no non-essential
messages. Saved on every customer record the portal visit opens; post, redirect, get.

Also the hosted invoice page's answer to a charge held for that limit: the customer
confirms it, and it is made at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from paydesk.core.errors import PaydeskError
from paydesk.core.formatting import money_text
from paydesk.core.locales import SUPPORTED_LOCALES
from paydesk.core.money import MAX_AMOUNT_MINOR, minor_unit_exponent, parse_major_amount
from paydesk.customers.services import CHANNELS, MESSAGE_KINDS, customer_preferences_set
from paydesk.messaging.sms import phone_masked
from paydesk.payments.automatic_charges import automatic_charge_confirm
from paydesk.payments.models import AutomaticCharge

from .portal_access_views import portal_page, portal_view
from .views import after_payment, in_business_time, invoice_for_token, page_locale


@dataclass
class PreferencesForm:
    """What the customer sent, read and checked; ``errors`` by field name."""

    locale: str = ""
    channels: dict[str, str] = field(default_factory=dict)
    notify_every_charge: bool = False
    monthly_spending_limit: int | None = None
    non_essential_opt_out: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def read_preferences_form(data, *, currency: str, sms_offered: bool) -> PreferencesForm:
    """Read the form in the active language (error messages are the customer's)."""
    form = PreferencesForm(
        notify_every_charge=data.get("notify_every_charge") == "yes",
        non_essential_opt_out=data.get("non_essential_opt_out") == "yes",
    )
    form.locale = data.get("language", "")
    if form.locale not in SUPPORTED_LOCALES:
        form.errors["language"] = _("Choose a language.")
    for kind in MESSAGE_KINDS:
        channel = data.get(f"channel_{kind}", "")
        if channel not in CHANNELS:
            form.errors[f"channel_{kind}"] = _("Choose email or text message.")
        elif channel == "sms" and not sms_offered:
            form.errors[f"channel_{kind}"] = _(
                "We have no phone number for you. Add one in your contact details to get text messages."
            )
        else:
            form.channels[kind] = channel
    limit_text = data.get("monthly_spending_limit", "").strip()
    if limit_text:
        limit = parse_major_amount(limit_text, currency)
        if limit is None or limit > MAX_AMOUNT_MINOR:
            form.errors["monthly_spending_limit"] = _(
                "Enter an amount like 250 or 250.00, or leave it empty for no limit."
            )
        else:
            form.monthly_spending_limit = limit
    return form


def _major_text(amount_minor: int | None, currency: str) -> str:
    """25000 → "250.00": what the customer would type for a limit (empty for none)."""
    if amount_minor is None:
        return ""
    return f"{Decimal(amount_minor).scaleb(-minor_unit_exponent(currency)):f}"


def _current_values(customer, currency: str, locale: str) -> dict:
    chosen_locale = next((each for each in customer.preferred_locales or [] if each in SUPPORTED_LOCALES), locale)
    channels = customer.channel_preferences or {}
    return {
        "language": chosen_locale,
        **{f"channel_{kind}": channels.get(kind, "email") for kind in MESSAGE_KINDS},
        "notify_every_charge": customer.notify_every_charge,
        "monthly_spending_limit": _major_text(customer.monthly_spending_limit, currency),
        "non_essential_opt_out": customer.non_essential_opt_out,
    }


def _posted_values(data) -> dict:
    return {
        "language": data.get("language", ""),
        **{f"channel_{kind}": data.get(f"channel_{kind}", "") for kind in MESSAGE_KINDS},
        "notify_every_charge": data.get("notify_every_charge") == "yes",
        "monthly_spending_limit": data.get("monthly_spending_limit", "")[:40],
        "non_essential_opt_out": data.get("non_essential_opt_out") == "yes",
    }


def _message_kinds(values: dict, errors: dict) -> list[dict]:
    """Each kind of message with its words, the channel chosen and its error (in the active
    language)."""
    words = {
        "reminders": (_("Payment reminders"), _("A reminder before or after an invoice is due.")),
        "notices": (
            _("Notices before a charge"),
            _("A note a few days before an automatic charge or a part of your payment plan."),
        ),
        "charges": (_("A message about each charge"), _("Sent only if you ask to hear about every charge (below).")),
    }
    return [
        {
            "kind": kind,
            "name": f"channel_{kind}",
            "label": words[kind][0],
            "hint": words[kind][1],
            "value": values.get(f"channel_{kind}", ""),
            "error": errors.get(f"channel_{kind}", ""),
        }
        for kind in MESSAGE_KINDS
    ]


@require_http_methods(["GET", "POST"])
@portal_view
def preferences(request):
    visit = request.portal
    currency = visit.business.default_currency
    phones = [customer.phone for customer in visit.customers if customer.phone]
    locale = page_locale(request, customer=visit.customer, business=visit.business)
    errors: dict[str, str] = {}
    if request.method == "POST":
        with translation.override(locale):
            form = read_preferences_form(request.POST, currency=currency, sms_offered=bool(phones))
        if not form.errors:
            try:
                customer_preferences_set(
                    customers=visit.customers,
                    locale=form.locale,
                    channels=form.channels,
                    notify_every_charge=form.notify_every_charge,
                    monthly_spending_limit=form.monthly_spending_limit,
                    non_essential_opt_out=form.non_essential_opt_out,
                    spending_limit_currency=visit.business.default_currency,
                )
            except PaydeskError as error:  # the form checks the same things; kept as a guard
                with translation.override(locale):
                    form.errors[error.param or "general"] = _("Please check this and try again.")
            else:
                # The next page speaks the language just chosen.
                request.session["paydesk_language"] = form.locale
                return HttpResponseRedirect(reverse("portal-preferences") + "?saved=1")
        errors = form.errors
        values = _posted_values(request.POST)
    else:
        values = _current_values(visit.customer, currency, locale)
    limit = visit.customer.monthly_spending_limit
    with translation.override(locale):
        kinds = _message_kinds(values, errors)
    context = {
        "values": values,
        "errors": errors,
        "kinds": kinds,
        "sms_offered": bool(phones),
        "phone_masked": phone_masked(phones[0]) if phones else "",
        "currency": currency.upper(),
        "current_limit": money_text(limit, currency, locale) if limit is not None else "",
        "saved": request.method == "GET" and request.GET.get("saved") == "1",
    }
    return portal_page(request, "portal/preferences.html", context, section="preferences", status=400 if errors else 200)


@require_http_methods(["POST"])
def confirm_held_charge(request, token: str, charge_id: str):
    """The customer confirms an automatic charge held for their monthly limit: it is made at
    once, and they see the receipt (or the invoice page with what went wrong)."""
    invoice = invoice_for_token(token)
    charge = AutomaticCharge.objects.filter(invoice=invoice, public_id=charge_id).first()
    if charge is None:
        raise Http404("No such charge")
    back = HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}))
    from .access import session_opens_customer

    if not session_opens_customer(request.session, invoice.customer_id):
        return back  # the page offers to sign in first (see views.held_charge_view)
    try:
        charge = automatic_charge_confirm(charge)
    except PaydeskError:  # no longer held (made, paid another way, or a second click)
        return back
    payment = charge.attempts.order_by("-pk").first()
    if payment is None:  # nothing was left to charge
        return back
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    return after_payment(request, token, payment, locale)


urlpatterns = [
    path("portal/preferences", preferences, name="portal-preferences"),
    path(
        "i/<str:token>/confirm-charge/<str:charge_id>",
        in_business_time(confirm_held_charge),
        name="hosted-invoice-confirm-charge",
    ),
]
