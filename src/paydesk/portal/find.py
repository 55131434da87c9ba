"""/portal/find: for a customer who lost the email or never had a login.

- **Find a bill** by its number plus one more fact (the email on it, the amount, or the
  postal code): a match opens the bill's own page. No match — whether the number does not
  exist or the second fact is wrong — gets one and the same answer, so the page cannot be
  used to learn which invoice numbers exist.
- **Email me a link**: the answer is the same whether or not the address is on file.

Both are rate-limited per address (the invoice number, or the email) and per IP, counted in
the database so every web process shares the count.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from paydesk.core import clock
from paydesk.core.money import parse_major_amount
from paydesk.invoicing.models import Invoice

from .access import BROWSER_COOKIE, digest, magic_links_send, new_browser_nonce
from .models import FindAttempt
from .views import page_locale, render_customer_page

WINDOW = datetime.timedelta(minutes=15)
TRIES_PER_ADDRESS = 5
TRIES_PER_IP = 20
MAX_FIELD = 254


def _normalized_postal_code(text: str) -> str:
    return "".join(character for character in text.upper() if character.isalnum())


def _over_limit(*keys_and_limits: tuple[str, int]) -> bool:
    """Count this try against each key; answers whether any key is over its limit."""
    now = clock.real_now()
    over = False
    for key, limit in keys_and_limits:
        key_digest = digest(key)
        recent = FindAttempt.objects.filter(key_digest=key_digest, created__gt=now - WINDOW).count()
        over = over or recent >= limit
        FindAttempt.objects.create(key_digest=key_digest, created=now)
    FindAttempt.objects.filter(created__lt=now - 4 * WINDOW).delete()  # keep the table small
    return over


def amounts_as_typed(text: str, currency: str) -> set[int]:
    """What an amount copied from a bill may mean, in minor units: "$1,234.50", "1 234,50",
    "1234.50" and "75" all read as people write them. A lone comma may be a decimal comma or
    a thousands separator ("1,234"), so both readings are tried."""
    cleaned = "".join(character for character in text if character.isdigit() or character in ".,")
    readings = {cleaned, cleaned.replace(",", "")}
    if "," in cleaned and "." in cleaned:
        # Both marks: the last one is the decimal point, the other groups thousands.
        decimal_mark = max((".", ","), key=cleaned.rfind)
        grouping_mark = "," if decimal_mark == "." else "."
        readings.add(cleaned.replace(grouping_mark, "").replace(decimal_mark, "."))
    return {amount for reading in readings if (amount := parse_major_amount(reading, currency)) is not None}


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def bill_matching(*, number: str, email: str, amount_text: str, postal_code: str) -> Invoice | None:
    """The finalized invoice with this number whose customer or amounts match the second
    fact given; None otherwise. The same work is done whether or not the number exists."""
    candidates = list(
        Invoice.objects.select_related("customer")
        .filter(number__iexact=number.strip())
        .exclude(status="draft")
        .filter(customer__erased_at=None)[:20]
    )
    for invoice in candidates:
        customer = invoice.customer
        if email.strip() and customer.email and customer.email.lower() == email.strip().lower():
            return invoice
        if amount_text.strip():
            amounts = amounts_as_typed(amount_text, invoice.currency)
            if amounts & {invoice.total, invoice.amount_remaining}:
                return invoice
        code = _normalized_postal_code(postal_code)
        if code and customer.postal_code and _normalized_postal_code(customer.postal_code) == code:
            return invoice
    return None


def _page(request, locale: str, context: dict, status: int = 200):
    response = render_customer_page(
        request, "portal/find.html", {"business": None, **context}, locale, status
    )
    if not request.COOKIES.get(BROWSER_COOKIE):
        # The nonce a magic link asked for here will be bound to.
        response.set_cookie(
            BROWSER_COOKIE, new_browser_nonce(), max_age=86400, httponly=True, samesite="Lax",
            secure=settings.BASE_URL.startswith("https://"),
        )
    return response


@require_http_methods(["GET", "POST"])
def find_my_bill(request):
    locale = page_locale(request)
    context: dict = {"values": {}, "errors": {}}
    if request.method == "GET":
        context["expired"] = request.GET.get("expired") == "1"
        context["signed_out"] = request.GET.get("signed_out") == "1"
        return _page(request, locale, context)
    values = {name: request.POST.get(name, "")[:MAX_FIELD] for name in ("number", "email", "amount", "postal_code", "link_email")}
    context["values"] = values
    with translation.override(locale):
        if request.POST.get("action") == "link":
            return _ask_for_link(request, locale, context, values)
        if not values["number"].strip():
            context["errors"]["number"] = _("Enter the invoice number, as it is on the invoice.")
        if not (values["email"].strip() or values["amount"].strip() or values["postal_code"].strip()):
            context["errors"]["fact"] = _("Enter one more thing you know: the email, the amount or the postal code.")
        if context["errors"]:
            return _page(request, locale, context, status=400)
        if _over_limit(
            (f"ip:{_client_ip(request)}", TRIES_PER_IP), (f"invoice:{values['number'].strip().lower()}", TRIES_PER_ADDRESS)
        ):
            context["too_many"] = True
            return _page(request, locale, context, status=429)
        invoice = bill_matching(
            number=values["number"], email=values["email"], amount_text=values["amount"], postal_code=values["postal_code"]
        )
        if invoice is not None:
            return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": invoice.hosted_token}))
        context["not_found"] = True
        return _page(request, locale, context, status=404)


def _ask_for_link(request, locale: str, context: dict, values: dict):
    email = values["link_email"].strip()
    if "@" not in email or len(email) < 3:
        context["errors"]["link_email"] = _("Enter your email address, like name@example.com.")
        return _page(request, locale, context, status=400)
    if _over_limit((f"ip:{_client_ip(request)}", TRIES_PER_IP), (f"email:{email.lower()}", TRIES_PER_ADDRESS)):
        context["too_many"] = True
        return _page(request, locale, context, status=429)
    nonce = request.COOKIES.get(BROWSER_COOKIE) or new_browser_nonce()
    magic_links_send(email=email, browser_nonce=nonce)
    context["link_sent"] = True
    context["values"] = {"link_email": email}
    response = _page(request, locale, context)
    if not request.COOKIES.get(BROWSER_COOKIE):
        response.set_cookie(
            BROWSER_COOKIE, nonce, max_age=86400, httponly=True, samesite="Lax", secure=settings.BASE_URL.startswith("https://")
        )
    return response
