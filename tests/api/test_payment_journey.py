"""The core journey through the API, in process: customer → invoice → partial payments → refund."""

from __future__ import annotations

from paydesk.ledger.checks import ledger_check

from ..conftest import GOOD_CARD_NUMBER


def card_body(number=GOOD_CARD_NUMBER, cvc="123"):
    return {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": cvc}}


def test_invoice_paid_in_two_parts_then_partly_refunded(api):
    # given a customer and an invoice with two taxed lines and a discount
    customer = api.post("/customers", {"name": "Ada", "email": "ada@example.test", "preferred_locales": ["en"]}).json()
    draft = api.post(
        "/invoices",
        {
            "customer": customer["id"],
            "currency": "usd",
            "due_date": "2026-12-31",
            "discount_amount": 500,
            "lines": [
                {"description": "Call-out", "quantity": 1, "unit_amount": 8000, "tax_rate_percent": 20},
                {"description": "Fittings", "quantity": 3, "unit_amount": 1250, "tax_rate_percent": "7.5"},
            ],
        },
    ).json()
    # subtotal 8000 + 3750 = 11750; discount 500 split 340 / 160 (largest remainder);
    # tax 20% of 7660 = 1532 and 7.5% of 3590 = 269.25 -> 269; total 11250 + 1801 = 13051
    assert (draft["subtotal"], draft["discount_amount"], draft["tax"], draft["total"]) == (11750, 500, 1801, 13051)
    assert [line["discount_amount"] for line in draft["lines"]] == [340, 160]
    assert draft["status"] == "draft" and draft["hosted_url"] is None

    # when it is finalized and paid in two parts
    invoice = api.post(f"/invoices/{draft['id']}/finalize").json()
    assert invoice["status"] == "open" and invoice["number"] == "INV-0001"
    assert invoice["hosted_url"].startswith("http")
    first = api.post("/payments", {"invoice": invoice["id"], "amount": 5000, "payment_method": card_body()})
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "succeeded"
    halfway = api.get(f"/invoices/{invoice['id']}").json()
    assert (halfway["status"], halfway["amount_paid"], halfway["amount_remaining"]) == ("open", 5000, 8051)
    rest = api.post("/payments", {"invoice": invoice["id"], "payment_method": card_body()}).json()
    assert rest["amount"] == 8051 and rest["status"] == "succeeded"
    assert rest["payment_method"]["card"] == {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}

    # then it is paid, a partial refund is possible once, and the books balance
    paid = api.get(f"/invoices/{invoice['id']}").json()
    assert (paid["status"], paid["amount_paid"], paid["amount_remaining"]) == ("paid", 13051, 0)
    refund = api.post("/refunds", {"payment": rest["id"], "amount": 2000}).json()
    assert (refund["status"], refund["amount"]) == ("succeeded", 2000)
    too_much = api.post("/refunds", {"payment": rest["id"], "amount": 6052})
    assert too_much.status_code == 400
    assert too_much.json()["error"]["code"] == "amount_too_large"
    assert api.get(f"/payments/{rest['id']}").json()["amount_refunded"] == 2000

    types = [event["type"] for event in api.get("/events", limit=100).json()["data"]]
    for expected in ("invoice.finalized", "payment.succeeded", "invoice.paid", "refund.succeeded"):
        assert expected in types
    report = ledger_check()
    assert report["balanced"], report["problems"]
