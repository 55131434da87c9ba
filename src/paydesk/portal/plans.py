"""The customer asks for a plan on the hosted invoice page: "Pay in parts" (how many parts,
monthly or weekly, the exact schedule before agreeing) and "Pay later" (a new date). Within
the business's policy the plan starts at once, or waits for staff when the business reviews
requests. Answers are redirects (post, redirect, get)."""

from __future__ import annotations

import datetime

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.core.formatting import date_text, money_text
from paydesk.payments.saved_methods import saved_method_default
from paydesk.terms.enums import PlanInterval, PlanKind
from paydesk.terms.policy import (
    check_pay_later_date,
    customer_schedule,
    deposit_for,
    part_counts_offered,
    pay_later_latest,
    why_not_offered,
)
from paydesk.terms.selectors import policy_for
from paydesk.terms.services import plan_create

from .plan_presentation import schedule_rows
from .presentation import invoice_view
from .views import invoice_for_token, page_locale, render_customer_page

PREFERRED_PARTS = 3


def _saved_card(invoice):
    if invoice.livemode or invoice.payment_link_id is not None:
        return None
    return saved_method_default(customer=invoice.customer)


def _back_to_invoice(token: str, outcome: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}) + f"?plan={outcome}#plan")


def _whole_number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None


@require_http_methods(["GET", "POST"])
def pay_in_parts(request, token: str):
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    policy, today = policy_for(invoice.business), clock.today()
    if why_not_offered(invoice, policy, PlanKind.INSTALLMENTS, today):
        return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}))
    source = request.POST if request.method == "POST" else request.GET
    offers = {interval: part_counts_offered(invoice, policy, interval, today) for interval in PlanInterval}
    chosen_interval = source.get("interval", "")
    interval = PlanInterval(chosen_interval) if chosen_interval in {each.value for each in PlanInterval} else PlanInterval.MONTH
    if not offers[interval]:
        interval = next(each for each in PlanInterval if offers[each])
    parts = _whole_number(source.get("parts", ""))
    if parts not in offers[interval]:
        parts = PREFERRED_PARTS if PREFERRED_PARTS in offers[interval] else offers[interval][0]
    schedule = customer_schedule(invoice, policy, parts=parts, interval=interval, today=today)
    saved = _saved_card(invoice)
    errors = {}
    if request.method == "POST":
        choice = request.POST.get("payment_choice", "")
        with translation.override(locale):
            if choice not in ("automatic", "manual"):
                errors["payment_choice"] = _("Choose how you would like to pay the parts.")
            if request.POST.get("agree") != "yes":
                errors["agree"] = _("Please tick the box to agree to this schedule.")
        if not errors:
            try:
                plan_create(
                    invoice=invoice,
                    parts=parts,
                    interval=interval,
                    start_date=today,
                    deposit_amount=deposit_for(invoice.amount_remaining, policy),
                    auto_charge=choice == "automatic",
                    saved_method=saved if choice == "automatic" else None,
                    requested_by="customer",
                    needs_review=not policy.auto_approve,
                )
            except PaydeskError:
                return _back_to_invoice(token, "unavailable")
            return _back_to_invoice(token, "started" if policy.auto_approve else "requested")
    context = invoice_view(invoice, locale)
    context.update(
        {
            "offers": {interval.value: counts for interval, counts in offers.items()},
            "chosen_parts": parts,
            "chosen_interval": interval.value,
            "schedule": schedule_rows(schedule, invoice.currency, locale),
            "saved_card": saved,
            "needs_review": not policy.auto_approve,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
        }
    )
    return render_customer_page(request, "portal/plan_parts.html", context, locale, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def pay_later(request, token: str):
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    policy, today = policy_for(invoice.business), clock.today()
    if why_not_offered(invoice, policy, PlanKind.PAY_LATER, today):
        return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}))
    earliest = max(invoice.due_date or today, today) + datetime.timedelta(days=1)
    latest = pay_later_latest(invoice, policy, today)
    saved = _saved_card(invoice)
    errors = {}
    if request.method == "POST":
        with translation.override(locale):
            chosen = _read_date(request.POST.get("pay_date", ""))
            choice = request.POST.get("payment_choice", "manual" if saved is None else "")
            try:
                if chosen is None:
                    raise PaydeskError("date_invalid", "", param="pay_later_date")
                check_pay_later_date(invoice, policy, chosen, today)
            except PaydeskError:
                errors["pay_date"] = _("Choose a date from %(earliest)s to %(latest)s.") % {
                    "earliest": date_text(earliest, locale),
                    "latest": date_text(latest, locale),
                }
            if choice not in ("automatic", "manual"):
                errors["payment_choice"] = _("Choose how you would like to pay.")
        if not errors:
            try:
                plan_create(
                    invoice=invoice,
                    parts=1,
                    start_date=chosen,
                    auto_charge=choice == "automatic" and saved is not None,
                    saved_method=saved if choice == "automatic" else None,
                    requested_by="customer",
                    needs_review=not policy.auto_approve,
                )
            except PaydeskError:
                return _back_to_invoice(token, "unavailable")
            return _back_to_invoice(token, "started" if policy.auto_approve else "requested")
    context = invoice_view(invoice, locale)
    context.update(
        {
            "earliest": earliest.isoformat(),
            "latest": latest.isoformat(),
            "earliest_text": date_text(earliest, locale),
            "latest_text": date_text(latest, locale),
            "amount_text": money_text(invoice.amount_remaining, invoice.currency, locale),
            "saved_card": saved,
            "needs_review": not policy.auto_approve,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
        }
    )
    return render_customer_page(request, "portal/plan_later.html", context, locale, status=400 if errors else 200)


def _read_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None
