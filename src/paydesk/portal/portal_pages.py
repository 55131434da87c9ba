"""The customer portal's own pages: what you owe (pay one, several or all at once), history
with receipts and PDFs, plans, saved cards, contact details. Every page is behind
``portal_view`` and shows only the records this session opened."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from paydesk.core.errors import PaydeskError
from paydesk.core.formatting import date_text, money_text
from paydesk.customers.services import customer_update
from paydesk.invoicing.models import Invoice
from paydesk.payments.enums import PaymentStatus
from paydesk.payments.models import Payment
from paydesk.payments.saved_methods import (
    saved_method_get,
    saved_method_list,
    saved_method_make_default,
    saved_method_remove,
)
from paydesk.payments.several import payment_create_for_invoices
from paydesk.terms.enums import LIVE_STATUSES
from paydesk.terms.models import PaymentPlan

from .checkout import decline_message, read_card_form
from .plan_presentation import plan_view
from .portal_access_views import portal_page, portal_view
from .views import page_locale, refusal_message


def _invoices(visit):
    return Invoice.objects.select_related("business", "customer").filter(
        business=visit.business, livemode=visit.livemode, customer__in=visit.customers
    )


def _open_invoices(visit):
    return [invoice for invoice in _invoices(visit).filter(status="open").order_by("due_date", "pk") if invoice.amount_remaining > 0]


def _invoice_rows(invoices, locale: str) -> list[dict]:
    return [
        {
            "invoice": invoice,
            "amount_remaining": money_text(invoice.amount_remaining, invoice.currency, locale),
            "total": money_text(invoice.total, invoice.currency, locale),
            "due_date": date_text(invoice.due_date, locale),
            "url": reverse("hosted-invoice", kwargs={"token": invoice.hosted_token}),
            "pdf_url": reverse("hosted-invoice-pdf", kwargs={"token": invoice.hosted_token}),
        }
        for invoice in invoices
    ]


def _balance(invoices, locale: str) -> list[str]:
    owed: dict[str, int] = defaultdict(int)
    for invoice in invoices:
        owed[invoice.currency] += invoice.amount_remaining
    return [money_text(amount, currency, locale) for currency, amount in sorted(owed.items())]


def _locale(request) -> str:
    return page_locale(request, customer=request.portal.customer, business=request.portal.business)


@require_http_methods(["GET"])
@portal_view
def home(request):
    visit, locale = request.portal, _locale(request)
    invoices = _open_invoices(visit)
    return portal_page(
        request,
        "portal/portal_home.html",
        {"open_rows": _invoice_rows(invoices, locale), "balance": _balance(invoices, locale)},
        section="home",
    )


def _chosen_invoices(visit, public_ids: list[str]) -> list[Invoice]:
    chosen = [invoice for invoice in _open_invoices(visit) if invoice.public_id in set(public_ids)]
    return chosen


@require_http_methods(["GET", "POST"])
@portal_view
def pay_selected(request):
    """Pay the chosen open invoices in one payment (GET shows the total and how to pay)."""
    visit, locale = request.portal, _locale(request)
    source = request.POST if request.method == "POST" else request.GET
    invoices = _chosen_invoices(visit, source.getlist("invoice"))
    if not invoices:
        return HttpResponseRedirect(reverse("portal-home") + "?none=1")
    currencies = {invoice.currency for invoice in invoices}
    saved = [method for method in saved_method_list(customer=invoices[0].customer) if not visit.livemode]
    context = {
        "rows": _invoice_rows(invoices, locale),
        "total": money_text(sum(invoice.amount_remaining for invoice in invoices), invoices[0].currency, locale)
        if len(currencies) == 1 else "",
        "several_currencies": len(currencies) > 1,
        # One address may have several customer records with the business; one payment is
        # one record's (its card, its receipt), so they are paid one record at a time.
        "several_accounts": len({invoice.customer_id for invoice in invoices}) > 1,
        "saved_method": saved[0] if saved else None,
        "form_errors": {},
        "form_values": {},
        "failure": "",
    }
    if request.method == "GET" or context["several_currencies"] or context["several_accounts"]:
        return portal_page(request, "portal/portal_pay.html", context, section="home")
    with translation.override(locale):
        saved_method = None
        card = None
        if request.POST.get("saved_method"):
            try:
                saved_method = saved_method_get(customer=invoices[0].customer, public_id=request.POST["saved_method"])
            except PaydeskError:
                raise Http404("No such card") from None
        else:
            form = read_card_form(request.POST, currency=invoices[0].currency)
            if form.errors:
                context.update(form_errors=form.errors, form_values=form.values)
                return portal_page(request, "portal/portal_pay.html", context, section="home", status=400)
            card = form.card
        try:
            payment = payment_create_for_invoices(
                invoices=invoices,
                card=card,
                saved_method=saved_method,
                return_url=settings.BASE_URL + reverse("portal-pay-return"),
            )
        except PaydeskError as error:
            context["form_errors"] = {"general": refusal_message(error)}
            return portal_page(request, "portal/portal_pay.html", context, section="home", status=400)
        if payment.status == PaymentStatus.REQUIRES_ACTION:
            return HttpResponseRedirect(payment.next_action_url)
        if payment.status == PaymentStatus.SUCCEEDED:
            return _to_receipt(payment, invoices[0])
        context["failure"] = decline_message(payment.decline_code or payment.failure_code)
        return portal_page(request, "portal/portal_pay.html", context, section="home", status=402)


def _to_receipt(payment: Payment, invoice: Invoice) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        reverse("receipt", kwargs={"token": invoice.hosted_token, "payment_id": payment.public_id}) + "?new=1"
    )


@require_http_methods(["GET"])
@portal_view
def pay_return(request):
    """Back from the bank's security check on a payment of several invoices."""
    visit = request.portal
    payment = Payment.objects.filter(
        public_id=request.GET.get("payment", ""), customer__in=visit.customers, business=visit.business
    ).first()
    if payment is None:
        raise Http404("No such payment")
    if payment.status == PaymentStatus.SUCCEEDED:
        first = payment.allocations.select_related("invoice").order_by("invoice_id").first()
        return _to_receipt(payment, first.invoice)
    return HttpResponseRedirect(reverse("portal-home") + "?failed=1")


@require_http_methods(["GET"])
@portal_view
def history(request):
    visit, locale = request.portal, _locale(request)
    paid = _invoices(visit).exclude(status__in=("draft", "open")).order_by("-pk")[:100]
    payments = (
        Payment.objects.filter(customer__in=visit.customers, business=visit.business, status=PaymentStatus.SUCCEEDED)
        .prefetch_related("allocations__invoice")
        .order_by("-pk")[:100]
    )
    payment_rows = []
    for payment in payments:
        allocation = next(iter(payment.allocations.all()), None)
        payment_rows.append(
            {
                "payment": payment,
                "amount": money_text(payment.amount, payment.currency, locale),
                "date": date_text(payment.succeeded_at or payment.created, locale),
                "method": f"{payment.card_brand.title()} •••• {payment.card_last4}" if payment.card_last4 else payment.method_type,
                "invoices": ", ".join(each.invoice.number for each in payment.allocations.all()),
                "receipt_url": reverse(
                    "receipt", kwargs={"token": allocation.invoice.hosted_token, "payment_id": payment.public_id}
                ) if allocation else "",
                "refunded": money_text(payment.amount_refunded, payment.currency, locale) if payment.amount_refunded else "",
            }
        )
    return portal_page(
        request, "portal/portal_history.html", {"payment_rows": payment_rows, "invoice_rows": _invoice_rows(paid, locale)},
        section="history",
    )


@require_http_methods(["GET"])
@portal_view
def plans(request):
    visit, locale = request.portal, _locale(request)
    plan_rows = []
    for plan in PaymentPlan.objects.filter(invoice__in=_invoices(visit), status__in=[each.value for each in LIVE_STATUSES]).select_related("invoice__business", "invoice__customer").order_by("-pk"):
        with translation.override(locale):
            shown = plan_view(plan.invoice, locale)
        plan_rows.append({"invoice": plan.invoice, "url": reverse("hosted-invoice", kwargs={"token": plan.invoice.hosted_token}), **shown})
    offers = [row for row in _invoice_rows(_open_invoices(visit), locale) if plan_view(row["invoice"], locale)["plan_offer"]]
    return portal_page(request, "portal/portal_plans.html", {"plan_rows": plan_rows, "offer_rows": offers}, section="plans")


@require_http_methods(["GET", "POST"])
@portal_view
def methods(request):
    """Saved cards: remove one, make one the default. (A card is added by ticking "Save this
    card" when paying: Paydesk keeps only cards that have worked.)"""
    visit = request.portal
    customer_cards = {}
    for customer in visit.customers:
        for method in saved_method_list(customer=customer):
            customer_cards[method.public_id] = method
    if request.method == "POST" and request.POST.get("action") == "add":
        return _add_card(request, customer_cards)
    if request.method == "POST":
        method = customer_cards.get(request.POST.get("card", ""))
        if method is None:
            raise Http404("No such card")
        if request.POST.get("action") == "remove":
            saved_method_remove(method=method)
            outcome = "removed"
        else:
            saved_method_make_default(method=method)
            outcome = "default"
        return HttpResponseRedirect(reverse("portal-methods") + f"?done={outcome}")
    return _methods_page(request, customer_cards)


def _methods_page(request, customer_cards: dict, *, form=None, status: int = 200):
    return portal_page(
        request, "portal/portal_methods.html",
        {
            "cards": list(customer_cards.values()),
            "done": request.GET.get("done", ""),
            "can_add": not request.portal.livemode,
            "form_errors": form.errors if form else {},
            "form_values": form.values if form else {},
        },
        section="methods", status=status,
    )


def _add_card(request, customer_cards: dict):
    from paydesk.payments.saved_methods import saved_method_add

    visit, locale = request.portal, _locale(request)
    with translation.override(locale):
        form = read_card_form(request.POST, currency=visit.business.default_currency)
        if form.errors:
            return _methods_page(request, customer_cards, form=form, status=400)
        try:
            saved_method_add(customer=visit.customer, card=form.card)
        except PaydeskError:
            form.errors["general"] = _("We could not add this card. Please check the details, or try another card.")
            return _methods_page(request, customer_cards, form=form, status=400)
    return HttpResponseRedirect(reverse("portal-methods") + "?done=added")


@require_http_methods(["GET", "POST"])
@portal_view
def details(request):
    visit, locale = request.portal, _locale(request)
    customer = visit.customer
    errors: dict[str, str] = {}
    values = {"name": customer.name, "email": customer.email, "phone": customer.phone, "postal_code": customer.postal_code}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in values}
        with translation.override(locale):
            if values["email"] and ("@" not in values["email"] or len(values["email"]) > 254):
                errors["email"] = _("Enter an email address like name@example.com.")
            if len(values["name"]) > 200:
                errors["name"] = _("Enter at most 200 characters.")
            if len(values["phone"]) > 40:
                errors["phone"] = _("Enter a phone number of at most 40 characters.")
            if len(values["postal_code"]) > 20:
                errors["postal_code"] = _("Enter a postal code of at most 20 characters.")
        if not errors:
            for record in visit.customers:
                customer_update(customer=record, **values)
            return HttpResponseRedirect(reverse("portal-details") + "?saved=1")
    return portal_page(
        request, "portal/portal_details.html",
        {"values": values, "errors": errors, "saved": request.GET.get("saved") == "1"},
        section="details", status=400 if errors else 200,
    )
