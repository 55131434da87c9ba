"""The page behind a payment link: the payer leaves an email for the receipt, then pays
on their own invoice's page, with the same checkout as every invoice."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from paydesk.core.errors import PaydeskError
from paydesk.core.formatting import money_text
from paydesk.invoicing.models import PaymentLink
from paydesk.invoicing.payment_links import payment_link_invoice

from .views import page_locale, render_customer_page


@require_http_methods(["GET", "POST"])
def payment_link_page(request, token: str):
    link = PaymentLink.objects.select_related("business").filter(token=token, active=True).first()
    if link is None:
        raise Http404("No such payment link")
    locale = page_locale(request, business=link.business)
    errors = {}
    values = {"email": request.POST.get("email", ""), "name": request.POST.get("name", "")}
    if request.method == "POST":
        try:
            invoice = payment_link_invoice(link=link, email=values["email"], name=values["name"])
        except PaydeskError as error:
            with translation.override(locale):
                from django.utils.translation import gettext as _

                errors[error.param or "general"] = _("Enter the email address for your receipt.")
        else:
            return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": invoice.hosted_token}) + "#pay")
    context = {
        "link": link,
        "business": link.business,
        "amount": money_text(link.amount, link.currency, locale),
        "errors": errors,
        "values": values,
    }
    return render_customer_page(request, "portal/payment_link.html", context, locale, status=400 if errors else 200)
