"""Every page keeps to the strict Content-Security-Policy and the basics of accessibility."""

from __future__ import annotations

import re

from paydesk.payments.enums import PaymentMethodType
from paydesk.payments.services import payment_record_offline


def _pages(invoice, payment) -> list[str]:
    return [
        "/dashboard/",
        "/dashboard/invoices/",
        "/dashboard/invoices/?status=open",
        f"/dashboard/invoices/{invoice.public_id}/",
        "/dashboard/invoices/new/",
        "/dashboard/customers/",
        "/dashboard/customers/new/",
        f"/dashboard/customers/{invoice.customer.public_id}/",
        "/dashboard/payments/",
        f"/dashboard/payments/{payment.public_id}/",
        "/dashboard/outbox/",
    ]


def test_pages_have_no_inline_script_or_style_and_send_the_policy(staff, open_invoice):
    payment = payment_record_offline(invoice=open_invoice, method=PaymentMethodType.CASH, amount=1000)

    for path in _pages(open_invoice, payment):
        response = staff.get(path)
        html = response.content.decode()

        assert response.status_code == 200, path
        assert "script-src 'self'" in response["Content-Security-Policy"], path
        assert response["Cache-Control"] == "no-store", path
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        assert " style=" not in html and "<style" not in html, path
        assert re.findall(r"\son[a-z]+=", html) == [], path
        for form in re.findall(r'<form method="post".*?</form>', html, flags=re.S):
            assert 'name="csrfmiddlewaretoken"' in form, path


def test_form_errors_are_tied_to_their_fields(staff, open_invoice):
    response = staff.post(f"/dashboard/invoices/{open_invoice.public_id}/payments/", {"payment-method": "cash", "payment-amount": "lots"})
    html = response.content.decode()

    assert response.status_code == 400
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_payment-amount_helptext id_payment-amount_error"' in html
    assert '<ul class="errorlist" id="id_payment-amount_error"><li>Enter an amount like 25.00, or leave it empty.</li></ul>' in html


def test_the_login_page_and_static_files_are_served(db, client):
    assert client.get("/dashboard/login/").status_code == 200
    assert client.get("/static/dashboard/dashboard.css").status_code == 200
    assert client.get("/static/dashboard/dashboard.js").status_code == 200
