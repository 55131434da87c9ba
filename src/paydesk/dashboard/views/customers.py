"""Customers: the list, a form to add one, and one customer with their invoices and payments."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from paydesk.core.errors import PaydeskError
from paydesk.customers.selectors import customer_list
from paydesk.customers.services import customer_create
from paydesk.invoicing.selectors import invoice_list
from paydesk.payments.selectors import payment_list

from ..access import staff_view
from ..forms import CustomerForm, place_refusal_on
from ..lookups import customer_for
from ..pages import dashboard_page, page_of

# A customer page shows their recent history; the full lists are a filter away.
RECENT_ROWS = 20


@require_GET
@staff_view()
def customer_list_page(request):
    context = {"page": page_of(request, customer_list(**request.staff.scoped()))}
    return dashboard_page(request, "dashboard/customer_list.html", context, section="customers")


@require_http_methods(["GET", "POST"])
@staff_view(changes_only=True)
def customer_new(request):
    form = CustomerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_create(
                **request.staff.scoped(),
                name=data["name"].strip(),
                email=data["email"],
                phone=data["phone"].strip(),
                preferred_locales=[data["preferred_locale"]] if data["preferred_locale"] else [],
            )
        except PaydeskError as error:
            place_refusal_on(form, error, fields={"name": "name", "email": "email", "phone": "phone"})
        else:
            messages.success(request, _("Customer %(name)s added.") % {"name": customer})
            return redirect("dashboard:customer-detail", customer_id=customer.public_id)
    status = 400 if form.is_bound else 200
    return dashboard_page(request, "dashboard/customer_form.html", {"form": form}, section="customers", status=status)


@require_GET
@staff_view()
def customer_detail(request, customer_id: str):
    customer = customer_for(request, customer_id)
    scope = request.staff.scoped()
    context = {
        "customer": customer,
        "invoices": invoice_list(**scope, customer=customer)[:RECENT_ROWS],
        "payments": payment_list(**scope, customer=customer)[:RECENT_ROWS],
    }
    return dashboard_page(request, "dashboard/customer_detail.html", context, section="customers")
