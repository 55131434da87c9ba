"""Two worker processes sweeping at the same moment send each due reminder exactly once
(PostgreSQL, where separate processes really run side by side)."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.db import connection

from paydesk.core import clock
from paydesk.customers.services import customer_create
from paydesk.invoicing.services import NewLine, invoice_create, invoice_finalize
from paydesk.messaging.models import Message, ReminderSent
from paydesk.messaging.reminder_policy import reminder_policy_for

INVOICE_COUNT = 30
SWEEP = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paydesk.config.settings")
django.setup()
from paydesk.messaging.reminders import reminders_sweep
sys.stdin.readline()  # both processes start sweeping when the test says so
print(reminders_sweep())
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="separate worker processes need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_due_reminder_exactly_once(business):
    # given invoices due today, with quiet hours off so the hour of the run does not matter
    policy = reminder_policy_for(business=business)
    policy.quiet_start_hour = policy.quiet_end_hour = 0
    policy.save()
    for index in range(INVOICE_COUNT):
        customer = customer_create(business=business, livemode=False, name=f"Customer {index}", email=f"c{index}@example.test")
        invoice = invoice_create(
            business=business, livemode=False, customer=customer, currency="usd",
            lines=[NewLine("Service", 1, 5000, Decimal("0"))], due_date=clock.today(),
        )
        invoice_finalize(invoice=invoice)
    # when two worker processes sweep at the same moment against this database
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    environment = {**os.environ, "PAYDESK_DATABASE_URL": url}
    workers = [
        subprocess.Popen([sys.executable, "-c", SWEEP], env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    sent = [int(worker.communicate(timeout=120)[0].strip().splitlines()[-1]) for worker in workers]
    # then every invoice got its "due" reminder once, split between the two workers
    assert sum(sent) == INVOICE_COUNT
    assert ReminderSent.objects.count() == INVOICE_COUNT
    assert Message.objects.filter(template="reminder_due").count() == INVOICE_COUNT
    assert set(Message.objects.values_list("dedupe_key", flat=True).distinct()) == set(
        Message.objects.values_list("dedupe_key", flat=True)
    )
