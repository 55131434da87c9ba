"""Customers in the dashboard: add one, see them and their invoices."""

from __future__ import annotations

from paydesk.customers.models import Customer

from ..conftest import make_invoice


def test_adding_a_customer(staff, business):
    response = staff.post(
        "/dashboard/customers/new/",
        {"name": "Grace Hopper", "email": "grace@example.test", "phone": "+1 555 0100", "preferred_locale": "ru"},
        follow=True,
    )

    customer = Customer.objects.get(business=business, email="grace@example.test")
    html = response.content.decode()
    assert (customer.name, customer.phone, customer.preferred_locales, customer.livemode) == ("Grace Hopper", "+1 555 0100", ["ru"], False)
    assert "Customer Grace Hopper added." in html
    assert f"/dashboard/invoices/new/?customer={customer.public_id}" in html


def test_a_bad_email_is_shown_next_to_the_field(staff):
    response = staff.post("/dashboard/customers/new/", {"name": "Grace", "email": "not an address"})

    assert response.status_code == 400
    assert b'id="id_email_error"' in response.content
    assert Customer.objects.filter(name="Grace").count() == 0


def test_a_customers_page_lists_their_invoices(staff, business, customer):
    invoice = make_invoice(business, customer)

    html = staff.get(f"/dashboard/customers/{customer.public_id}/").content.decode()

    assert "ada@example.test" in html
    assert f"/dashboard/invoices/{invoice.public_id}/" in html


def test_the_invoice_form_preselects_the_customer_it_came_from(staff, customer):
    html = staff.get(f"/dashboard/invoices/new/?customer={customer.public_id}").content.decode()

    assert f'<option value="{customer.public_id}" selected>Ada Lovelace</option>' in html
