"""The issue's API journey: 300.00 in three monthly parts, the first paid by card (and the
card saved), the next two charged automatically with a notice three days before, a decline
retried and the customer told, and the books balanced at the end."""

from __future__ import annotations

from paydesk.ledger.checks import ledger_check
from paydesk.messaging.models import Message

from .conftest import card_method


def advance_until(api, condition, *, most_days: int = 45) -> int:
    """Advance the test clock a day at a time until ``condition()`` holds; answers the days."""
    for day in range(1, most_days + 1):
        assert api.post("/test_helpers/advance_clock", {"days": 1}).status_code == 200
        if condition():
            return day
    raise AssertionError("the condition never held")


def plan_of(api, plan_id):
    return api.get(f"/payment_plans/{plan_id}").json()


def test_three_monthly_parts_through_the_api_alone(api, invoice_300):
    created = api.post(
        "/payment_plans", {"invoice": invoice_300.public_id, "installments": 3, "interval": "month"}, idempotency_key="plan-1"
    )
    assert created.status_code == 200, created.json()
    plan = created.json()
    assert plan["object"] == "payment_plan" and plan["status"] == "active" and plan["kind"] == "installments"
    assert [part["amount"] for part in plan["schedule"]] == [10000, 10000, 10000]
    assert sum(part["amount"] for part in plan["schedule"]) == plan["amount"] == 30000
    assert [part["status"] for part in plan["schedule"]] == ["due", "upcoming", "upcoming"]
    # The invoice is due when the last part is, so it is not "overdue" while the plan is kept.
    invoice = api.get(f"/invoices/{invoice_300.public_id}").json()
    assert invoice["due_date"] == plan["schedule"][2]["due_date"]
    assert plan["original_due_date"] is not None

    first = api.post(
        "/payments",
        {"invoice": invoice_300.public_id, "amount": 10000, "payment_method": card_method(), "save_payment_method": True},
    ).json()
    assert first["status"] == "succeeded"
    card_id = api.get(f"/customers/{invoice_300.customer.public_id}/payment_methods").json()["data"][0]["id"]
    plan = api.post(f"/payment_plans/{plan['id']}", {"auto_charge": True, "payment_method": card_id}).json()
    assert plan["auto_charge"] is True and plan["payment_method"] == card_id
    assert [part["status"] for part in plan["schedule"]] == ["paid", "upcoming", "upcoming"]

    # Three days before the second part, the notice; no money yet.
    upcoming = Message.objects.filter(invoice=invoice_300, template="plan_part_upcoming")
    advance_until(api, upcoming.exists)
    assert plan_of(api, plan["id"])["schedule"][1]["amount_paid"] == 0
    notice_day = api.post("/test_helpers/advance_clock", {"hours": 1}).json()["now"]
    advance_until(api, lambda: plan_of(api, plan["id"])["schedule"][1]["status"] == "paid", most_days=5)
    charged = api.get("/payments", invoice=invoice_300.public_id).json()["data"][0]
    assert charged["amount"] == 10000 and charged["status"] == "succeeded"
    assert charged["created"] - notice_day >= 2 * 86400  # the notice came days before the charge
    assert Message.objects.filter(invoice=invoice_300, template="receipt", payment__public_id=charged["id"]).exists()

    # The card runs dry before the third part: declined, the customer told, retried later.
    api.post(f"/test_helpers/payment_methods/{card_id}/drain")
    failed = Message.objects.filter(invoice=invoice_300, template="plan_part_failed")
    advance_until(api, failed.exists)
    plan = plan_of(api, plan["id"])
    assert plan["schedule"][2]["amount_paid"] == 0 and plan["status"] == "active"
    declined = api.get("/payments", invoice=invoice_300.public_id).json()["data"][0]
    assert declined["status"] == "failed" and declined["last_payment_error"]["decline_code"] == "insufficient_funds"

    api.post(f"/test_helpers/payment_methods/{card_id}/fund")
    advance_until(api, lambda: plan_of(api, plan["id"])["status"] == "completed", most_days=20)
    plan = plan_of(api, plan["id"])
    assert [part["status"] for part in plan["schedule"]] == ["paid", "paid", "paid"]
    assert plan["amount_paid"] == 30000 and plan["amount_remaining"] == 0
    assert api.get(f"/invoices/{invoice_300.public_id}").json()["status"] == "paid"
    assert ledger_check()["problems"] == []


def test_refusals_are_named(api, other_api, invoice_300, open_invoice):
    def refused(body):
        response = api.post("/payment_plans", body)
        assert 400 <= response.status_code < 500, response.json()
        return response.json()["error"]["code"]

    base = {"invoice": invoice_300.public_id}
    assert refused({**base, "installments": 0}) == "parameter_out_of_range"
    assert refused({**base, "installments": 3, "interval": "year"}) == "parameter_invalid_value"
    assert refused({**base, "installments": 3, "start_date": "2000-01-01"}) == "start_date_invalid"
    assert refused({**base, "installments": 3, "deposit_amount": 30000}) == "deposit_invalid"
    assert refused({**base, "installments": 3, "auto_charge": True}) == "payment_method_missing"
    assert refused({**base, "installments": 3, "surprise": 1}) == "parameter_unknown"
    assert other_api.post("/payment_plans", {**base, "installments": 3}).status_code == 404
    assert api.post("/payment_plans", {**base, "installments": 3}).status_code == 200
    assert refused({**base, "installments": 2}) == "plan_exists"
    api.post(f"/invoices/{open_invoice.public_id}/void")
    assert refused({"invoice": open_invoice.public_id, "installments": 2}) == "invoice_not_open"


def test_cancel_pause_resume_and_list(api, other_api, invoice_300):
    plan = api.post("/payment_plans", {"invoice": invoice_300.public_id, "installments": 4, "interval": "week"}).json()
    assert [part["amount"] for part in plan["schedule"]] == [7500] * 4
    assert api.post(f"/payment_plans/{plan['id']}/pause").json()["status"] == "paused"
    assert api.post(f"/payment_plans/{plan['id']}/pause").json()["error"]["code"] == "payment_plan_unexpected_state"
    assert api.post(f"/payment_plans/{plan['id']}/resume").json()["status"] == "active"
    assert other_api.get(f"/payment_plans/{plan['id']}").status_code == 404
    listed = api.get("/payment_plans", invoice=invoice_300.public_id).json()
    assert [each["id"] for each in listed["data"]] == [plan["id"]]
    canceled = api.post(f"/payment_plans/{plan['id']}/cancel").json()
    assert canceled["status"] == "canceled" and canceled["schedule"][0]["status"] == "canceled"
    assert api.get("/payment_plans", status="active").json()["data"] == []


def test_one_part_is_pay_later_and_moves_the_due_date(api, invoice_300):
    from paydesk.core import clock
    import datetime

    later = (clock.today() + datetime.timedelta(days=40)).isoformat()
    plan = api.post("/payment_plans", {"invoice": invoice_300.public_id, "installments": 1, "start_date": later}).json()
    assert plan["kind"] == "pay_later"
    assert plan["schedule"] == [{"due_date": later, "amount": 30000, "amount_paid": 0, "status": "upcoming"}]
    assert api.get(f"/invoices/{invoice_300.public_id}").json()["due_date"] == later
