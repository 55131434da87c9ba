"""The hosted invoice page and its one-page checkout. No login: the link's token is the key."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from django.conf import settings

from paydesk.core.errors import PaydeskError
from paydesk.core.locales import locale_for
from paydesk.invoicing.models import Invoice
from paydesk.payments.enums import PaymentStatus
from paydesk.payments.models import Payment
from paydesk.payments.services import payment_create

from .checkout import FIELD_FOR_FAILURE, CardForm, decline_message, failure_message_for, read_card_form
from .plan_presentation import plan_view, planned_amount
from .presentation import invoice_view, payment_options


def in_business_time(view):
    """Run a customer page for an invoice at its business's time (a test clock moves it in
    test mode), so "overdue", payment dates and receipts agree with the API."""
    import functools

    from paydesk.core import clock

    @functools.wraps(view)
    def wrapped(request, token: str, *arguments, **keywords):
        invoice = Invoice.objects.select_related("business").filter(hosted_token=token).only(
            "livemode", "business__test_clock_offset_seconds"
        ).first()
        if invoice is None:
            return view(request, token, *arguments, **keywords)
        with clock.business_time(invoice.business, livemode=invoice.livemode):
            return view(request, token, *arguments, **keywords)

    return wrapped


def invoice_for_token(token: str) -> Invoice:
    invoice = (
        Invoice.objects.select_related("business", "customer")
        .prefetch_related("lines")
        .filter(hosted_token=token)
        .exclude(status="draft")
        .first()
    )
    if invoice is None:
        raise Http404("No such invoice")
    return invoice


def page_locale(request, *, customer=None, business=None) -> str:
    """An explicit choice (?lang=) first, then the customer's, the browser's, the business's."""
    chosen = request.GET.get("lang") or request.session.get("paydesk_language")
    if chosen in ("en", "ru"):
        request.session["paydesk_language"] = chosen
        return chosen
    return locale_for(customer=customer, business=business, accept_language=request.headers.get("Accept-Language", ""))


def language_links(request) -> dict[str, str]:
    """The page's own address in each language, keeping what else the address says (the
    number of parts chosen on the plan page, say)."""
    links = {}
    for language in ("en", "ru"):
        query = request.GET.copy()
        query["lang"] = language
        links[language] = "?" + query.urlencode()
    return links


def render_customer_page(request, template: str, context: dict, locale: str, status: int = 200):
    with translation.override(locale):
        response = render(
            request, template, {**context, "locale": locale, "language_links": language_links(request)}, status=status
        )
    response["Content-Language"] = locale
    response["Cache-Control"] = "no-store"
    return response


def _signed_in_for(request, invoice: Invoice) -> bool:
    from .access import session_opens_customer

    return session_opens_customer(request.session, invoice.customer_id)


def held_charge_view(invoice: Invoice, locale: str, *, signed_in: bool = False) -> dict:
    """An automatic charge of this invoice held because it would pass the customer's monthly
    spending limit, with what the page needs to offer its confirmation (else nothing).
    Confirming overrides a protection the customer set for themselves, so it is offered only
    to a browser signed in to their portal; the invoice link alone (a forwarded bill) is not
    enough."""
    from paydesk.core.formatting import money_text
    from paydesk.payments.automatic_charges import SPENDING_LIMIT, automatic_charge_amount
    from paydesk.payments.models import AutomaticCharge

    charge = (
        AutomaticCharge.objects.select_related("saved_method")
        .filter(invoice=invoice, status=AutomaticCharge.Status.NEEDS_CUSTOMER, last_decline_code=SPENDING_LIMIT)
        .order_by("pk")
        .first()
    )
    if charge is None:
        return {}
    amount = automatic_charge_amount(charge, invoice)
    if amount <= 0:
        return {}
    limit = invoice.customer.monthly_spending_limit
    return {
        "held_charge": {
            "id": charge.public_id,
            "signed_in": signed_in,
            "amount": money_text(amount, invoice.currency, locale),
            "limit": money_text(limit, invoice.customer.monthly_spending_limit_currency or invoice.currency, locale)
            if limit is not None
            else "",
            "card_brand": charge.saved_method.card_brand.title(),
            "card_last4": charge.saved_method.card_last4,
            "confirm_url": reverse(
                "hosted-invoice-confirm-charge", kwargs={"token": invoice.hosted_token, "charge_id": charge.public_id}
            ),
        }
    }


def invoice_page(request, invoice: Invoice, *, locale: str, form=None, failure: str = "", status: int = 200):
    context = invoice_view(invoice, locale)
    payable = invoice.status == "open" and invoice.amount_remaining > 0
    context.update(
        {
            "form_errors": form.errors if form else {},
            "form_values": form.values if form else {},
            "failure": failure,
            "pay_url": reverse("hosted-invoice-pay", kwargs={"token": invoice.hosted_token}),
            "payable": payable,
            **(payment_options(invoice, locale) if payable else {}),
            **(held_charge_view(invoice, locale, signed_in=_signed_in_for(request, invoice)) if payable else {}),
            **plan_view(invoice, locale),
            "plan_outcome": request.GET.get("plan", ""),
        }
    )
    response = render_customer_page(request, "portal/hosted_invoice.html", context, locale, status)
    if context.get("paypal_enabled"):
        # The PayPal button's form is answered with a redirect to PayPal, and browsers hold
        # redirects after a form to the page's form-action: name PayPal's approval hosts.
        from paydesk.core.middleware import content_security_policy

        response["Content-Security-Policy"] = content_security_policy(
            form_action=("https://www.paypal.com", "https://www.sandbox.paypal.com")
        )
    return response


@require_http_methods(["GET"])
def hosted_invoice(request, token: str):
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    failure = ""
    failed_id = request.GET.get("failed")
    if failed_id:
        failed = Payment.objects.filter(invoice=invoice, public_id=failed_id).first()
        if failed is not None and failed.status in (PaymentStatus.FAILED, PaymentStatus.CANCELED):
            with translation.override(locale):
                failure = failure_message_for(failed)
    return invoice_page(request, invoice, locale=locale, failure=failure)


@require_http_methods(["POST"])
def hosted_invoice_pay(request, token: str):
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    with translation.override(locale):
        form = read_card_form(request.POST, currency=invoice.currency)
        if form.errors:
            return invoice_page(request, invoice, locale=locale, form=form, status=400)
        try:
            payment = payment_create(
                invoice=invoice,
                card=form.card,
                amount=form.amount if form.amount is not None else planned_amount(invoice),
                save_card=form.save_card and invoice.payment_link_id is None,
                return_url=settings.BASE_URL + reverse("hosted-invoice-return", kwargs={"token": token}),
            )
        except PaydeskError as error:
            invoice = invoice_for_token(token)
            form.errors["amount" if error.param == "amount" else "general"] = refusal_message(error)
            return invoice_page(request, invoice, locale=locale, form=form, status=400)
        if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.REQUIRES_ACTION):
            return after_payment(request, token, payment, locale)
        code = payment.decline_code or payment.failure_code
        field = FIELD_FOR_FAILURE.get(payment.failure_code)
        if field:
            form.errors[field] = decline_message(code)
        return invoice_page(request, invoice_for_token(token), locale=locale, form=form, failure=decline_message(code), status=402)


def after_payment(request, token: str, payment, locale: str):
    if payment.status == PaymentStatus.SUCCEEDED:
        return HttpResponseRedirect(reverse("receipt", kwargs={"token": token, "payment_id": payment.public_id}) + "?new=1")
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        return HttpResponseRedirect(payment.next_action_url)
    return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}) + f"?failed={payment.public_id}")


def refused(request, token: str, error: PaydeskError, locale: str):
    invoice = invoice_for_token(token)
    with translation.override(locale):
        form = CardForm(errors={"general": refusal_message(error)})
        return invoice_page(request, invoice, locale=locale, form=form, status=400)


def refusal_message(error: PaydeskError) -> str:
    from django.utils.translation import gettext as _

    if error.code == "amount_too_large":
        return _("That is more than you owe on this invoice. Enter a smaller amount.")
    if error.code == "invoice_already_paid":
        return _("This invoice is already paid. Thank you!")
    if error.http_status in (502, 503):
        return _("We could not reach the payment provider just now. Nothing was charged twice; please try again in a minute.")
    if error.code in ("invoice_void", "invoice_uncollectible"):
        return _("This invoice can no longer be paid online. Please contact us.")
    return _("We could not take this payment. Please check the details and try again.")


@require_http_methods(["GET"])
def hosted_invoice_return(request, token: str):
    """Where the payer lands after the bank's security check (``?payment=pay_...``)."""
    invoice = invoice_for_token(token)
    payment = Payment.objects.filter(invoice=invoice, public_id=request.GET.get("payment", "")).first()
    if payment is None:
        raise Http404("No such payment")
    if payment.status == PaymentStatus.SUCCEEDED:
        return HttpResponseRedirect(reverse("receipt", kwargs={"token": token, "payment_id": payment.public_id}) + "?new=1")
    return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}) + f"?failed={payment.public_id}")


@require_http_methods(["GET"])
def business_logo(request, business_id: str):
    from django.http import HttpResponse

    from paydesk.businesses.models import BusinessLogo

    logo = BusinessLogo.objects.filter(business__public_id=business_id).first()
    if logo is None:
        raise Http404("No logo")
    response = HttpResponse(bytes(logo.image), content_type=logo.content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
