"""The demo data loads once, balances, and shows every kind of invoice and plan."""

from __future__ import annotations

from paydesk.demo.data import demo_load
from paydesk.ledger.checks import ledger_check
from paydesk.terms.models import PaymentPlan


def test_the_demo_loads_once_and_its_books_balance(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = demo_load()
    assert demo_load()["secret_key"] == first["secret_key"]
    assert ledger_check()["problems"] == []
    assert sorted(PaymentPlan.objects.values_list("status", flat=True)) == ["active", "requested"]
