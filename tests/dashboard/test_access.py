"""Who gets in: login, staff membership, roles, and one business never seeing another's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from paydesk.businesses.enums import StaffRole

from .conftest import OWNER_EMAIL, OWNER_PASSWORD, member_client

STAFF_PAGES = [
    "/dashboard/",
    "/dashboard/invoices/",
    "/dashboard/invoices/new/",
    "/dashboard/customers/",
    "/dashboard/customers/new/",
    "/dashboard/payments/",
    "/dashboard/outbox/",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_every_page_sends_a_visitor_to_the_login_page(db, path):
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/login/?next={path}"


def test_the_live_list_answers_a_logged_out_script_with_401_json(db):
    response = Client().get("/dashboard/live/payments.json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_the_owner_logs_in_with_email_and_password_and_lands_on_the_overview(created_business):
    client = Client()
    page = client.get("/dashboard/login/")
    assert page.status_code == 200
    assert b'<label for="id_username">Email</label>' in page.content

    response = client.post("/dashboard/login/", {"username": OWNER_EMAIL, "password": OWNER_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_password_is_refused_with_a_message_on_the_page(created_business):
    response = Client().post("/dashboard/login/", {"username": OWNER_EMAIL, "password": "wrong horse"})

    assert response.status_code == 200
    assert b"That email and password do not match an account." in response.content


def test_logging_out_takes_a_post_and_ends_the_session(staff):
    response = staff.post("/dashboard/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/login/"
    assert staff.get("/dashboard/").status_code == 302


def test_a_user_without_a_membership_is_refused(created_business):
    outsider = get_user_model().objects.create_user(username="someone@else.test", password="a horse")
    client = Client()
    client.force_login(outsider)

    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/invoices/").status_code == 403
    assert client.get("/dashboard/live/payments.json").status_code == 403


def test_a_read_only_member_can_look_but_every_post_is_refused(read_only, open_invoice, customer):
    invoice_path = f"/dashboard/invoices/{open_invoice.public_id}/"
    page = read_only.get(invoice_path)
    assert page.status_code == 200
    assert b"Record payment" not in page.content
    assert b"/void/" not in page.content

    posts = [
        (f"{invoice_path}void/", {}),
        (f"{invoice_path}send/", {}),
        (f"{invoice_path}payments/", {"payment-method": "cash"}),
        ("/dashboard/customers/new/", {"name": "Someone"}),
        ("/dashboard/invoices/new/", {}),
    ]
    for path, data in posts:
        assert read_only.post(path, data).status_code == 403, path
    open_invoice.refresh_from_db()
    assert open_invoice.status == "open"
    assert open_invoice.amount_paid == 0


def test_a_read_only_member_is_not_offered_the_create_forms(read_only):
    assert read_only.get("/dashboard/invoices/new/").status_code == 403
    assert read_only.get("/dashboard/customers/new/").status_code == 403


@pytest.mark.parametrize("role", [StaffRole.ADMIN, StaffRole.SUPPORT, StaffRole.ACCOUNTANT])
def test_other_roles_may_make_changes(business, open_invoice, role):
    client = member_client(business, role, f"{role}@riverside.test")

    response = client.post(f"/dashboard/invoices/{open_invoice.public_id}/void/")

    assert response.status_code == 302
    open_invoice.refresh_from_db()
    assert open_invoice.status == "void"


def test_another_businesses_records_are_not_found(staff, other_business_invoice):
    invoice_path = f"/dashboard/invoices/{other_business_invoice.public_id}/"

    assert staff.get(invoice_path).status_code == 404
    assert staff.post(f"{invoice_path}void/").status_code == 404
    assert staff.post(f"{invoice_path}payments/", {"payment-method": "cash"}).status_code == 404
    assert staff.get(f"/dashboard/customers/{other_business_invoice.customer.public_id}/").status_code == 404
    other_business_invoice.refresh_from_db()
    assert other_business_invoice.status == "open"
    assert other_business_invoice.amount_paid == 0


def test_another_businesses_customer_cannot_be_chosen_for_an_invoice(staff, customer, other_business_invoice):
    response = staff.post(
        "/dashboard/invoices/new/",
        {
            "customer": other_business_invoice.customer.public_id,
            "currency": "usd",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-description": "Work",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "10.00",
        },
    )

    assert response.status_code == 400
    assert other_business_invoice.customer.invoices.count() == 1
