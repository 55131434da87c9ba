"""The reminder sweep over many open invoices, against a set-based raw-SQL selection of the
same due rows in the same run.

    .venv/bin/python bench/reminders.py [--database sqlite|postgres|both] [--invoices N] [--due N]

For each database it builds a fresh one (SQLite in a temporary PAYDESK_DATA_DIR; PostgreSQL
from PAYDESK_DATABASE_URL if set, else a throwaway server from scripts/postgres-start.sh),
makes one business with N open invoices (default 1,000,000) of which ``--due`` (default 1,000)
are due today and the rest later, then times:

* raw SQL: one statement selecting the open, owing invoices due for a reminder that have
  none yet (the set the sweep must find);
* sweep 1: ``reminders_sweep`` sending the due reminders (finding them and sending them);
* sweep 2: ``reminders_sweep`` again, which must send nothing (finding nothing left to do).

It prints the times and the ratio sweep 2 / raw SQL (aim: at most 2), and checks that the
first sweep sent exactly the due reminders and the second none. It never fails on a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULT_MARKER = "BENCH-RESULT "
BATCH = 10_000


def child(options) -> dict:
    """Runs in a child process with the database chosen by the environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paydesk.config.settings")
    import datetime
    from decimal import Decimal

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from paydesk.businesses.services import business_create
    from paydesk.core import clock, ids
    from paydesk.customers.services import customer_create
    from paydesk.invoicing.models import Invoice
    from paydesk.invoicing.services import NewLine, invoice_create, invoice_finalize
    from paydesk.messaging.models import ReminderSent
    from paydesk.messaging.reminder_policy import reminder_policy_for
    from paydesk.messaging.reminders import reminders_sweep

    call_command("migrate", verbosity=0)
    business = business_create(name="Bench Plumbing", email="bench@example.test").business
    policy = reminder_policy_for(business=business)
    policy.quiet_start_hour = policy.quiet_end_hour = 0  # the hour of the run must not matter
    policy.save()
    customers = [
        customer_create(business=business, livemode=False, name=f"Customer {index}", email=f"c{index}@example.test")
        for index in range(100)
    ]
    today = clock.today()
    # A template invoice made by the services, copied for the bulk: the same columns the
    # services write, without a million service calls.
    template = invoice_finalize(
        invoice=invoice_create(
            business=business, livemode=False, customer=customers[0], currency="usd",
            lines=[NewLine("Service", 1, 5000, Decimal("0"))], due_date=today + datetime.timedelta(days=60),
        )
    )
    started = time.perf_counter()
    fields = {
        field.attname: getattr(template, field.attname)
        for field in Invoice._meta.concrete_fields
        if field.attname not in ("id", "public_id", "hosted_token", "number", "customer_id", "due_date")
    }
    made = 1
    while made < options.invoices:
        count = min(BATCH, options.invoices - made)
        rows = []
        for offset in range(count):
            position = made + offset
            due_now = position <= options.due
            rows.append(
                Invoice(
                    **fields,
                    public_id=ids.new_invoice_id(),
                    hosted_token=ids.new_hosted_token(),
                    number=f"B-{position:07d}",
                    customer_id=customers[position % len(customers)].pk,
                    # due today (the "due" step), or 10 to 200 days ahead (no step yet)
                    due_date=today if due_now else today + datetime.timedelta(days=10 + position % 190),
                )
            )
        with transaction.atomic():
            Invoice.objects.bulk_create(rows, batch_size=2000)
        made += count
    setup_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # The set the sweep must find, in one statement: open, owing, due for a step, none sent.
    raw = (
        "SELECT i.id FROM invoicing_invoice i WHERE i.business_id = %s AND i.livemode = %s"
        " AND i.status = 'open' AND i.total > i.amount_paid AND i.due_date <= %s"
        " AND NOT EXISTS (SELECT 1 FROM messaging_remindersent r WHERE r.invoice_id = i.id)"
    )
    earliest_step_day = today + datetime.timedelta(days=3)  # the default policy's first step: 3 days before
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(raw, [business.pk, False, earliest_step_day])
        raw_due = len(cursor.fetchall())
        raw_seconds = time.perf_counter() - started
    started = time.perf_counter()
    first_sent = reminders_sweep()
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second_sent = reminders_sweep()
    second_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:  # and the same selection once the reminders exist
        started = time.perf_counter()
        cursor.execute(raw, [business.pk, False, earliest_step_day])
        raw_after = len(cursor.fetchall())
        raw_after_seconds = time.perf_counter() - started
    return {
        "database": connection.vendor,
        "invoices": Invoice.objects.count(),
        "due": options.due,
        "setup_seconds": setup_seconds,
        "raw_due_rows": raw_due,
        "raw_seconds": raw_seconds,
        "raw_after_rows": raw_after,
        "raw_after_seconds": raw_after_seconds,
        "first_sent": first_sent,
        "first_seconds": first_seconds,
        "second_sent": second_sent,
        "second_seconds": second_seconds,
        "reminders_recorded": ReminderSent.objects.count(),
    }


def _run_child(options, environment: dict[str, str]) -> dict:
    command = [sys.executable, __file__, "--child", "--invoices", str(options.invoices), "--due", str(options.due)]
    output = subprocess.run(command, env=environment, check=True, capture_output=True, text=True, cwd=ROOT)
    line = next(line for line in output.stdout.splitlines() if line.startswith(RESULT_MARKER))
    return json.loads(line[len(RESULT_MARKER):])


def _environment(data_dir: str, database_url: str = "") -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "PAYDESK_DATABASE_URL"}
    environment["PAYDESK_DATA_DIR"] = data_dir
    if database_url:
        environment["PAYDESK_DATABASE_URL"] = database_url
    return environment


def bench_sqlite(options) -> dict:
    data_dir = tempfile.mkdtemp(prefix="paydesk-bench-reminders-")
    try:
        return _run_child(options, _environment(data_dir))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def bench_postgres(options) -> dict:
    given = os.environ.get("PAYDESK_DATABASE_URL", "")
    data_dir = tempfile.mkdtemp(prefix="paydesk-bench-reminders-")
    server_dir = None
    try:
        if given:
            base = given
        else:
            server_dir = tempfile.mkdtemp(prefix="paydesk-bench-postgres-")
            os.chmod(server_dir, 0o755)
            base = subprocess.run(
                [str(ROOT / "scripts/postgres-start.sh"), f"{server_dir}/data", "54351"],
                check=True, capture_output=True, text=True,
            ).stdout.strip()
        parsed = urlparse(base)
        name = f"paydesk_bench_reminders_{os.getpid()}"
        admin = urlunparse(parsed._replace(path="/postgres"))
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        try:
            return _run_child(options, _environment(data_dir, urlunparse(parsed._replace(path=f"/{name}"))))
        finally:
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)
    finally:
        if server_dir:
            subprocess.run([str(ROOT / "scripts/postgres-stop.sh"), f"{server_dir}/data"], check=False)
            shutil.rmtree(server_dir, ignore_errors=True)
        shutil.rmtree(data_dir, ignore_errors=True)


def report(result: dict) -> None:
    ratio = result["second_seconds"] / result["raw_seconds"] if result["raw_seconds"] else float("inf")
    print(f"{result['database']}: {result['invoices']:,} open invoices, {result['due']:,} due today (set-up {result['setup_seconds']:.0f} s)")
    print(f"  raw SQL selection of the due rows:   {result['raw_seconds'] * 1000:9.1f} ms ({result['raw_due_rows']:,} rows)")
    print(f"  sweep 1 (finds and sends):           {result['first_seconds'] * 1000:9.1f} ms ({result['first_sent']:,} sent)")
    print(f"  sweep 2 (nothing left to send):      {result['second_seconds'] * 1000:9.1f} ms ({result['second_sent']:,} sent)")
    print(f"  raw SQL selection after sweep 1:     {result['raw_after_seconds'] * 1000:9.1f} ms ({result['raw_after_rows']:,} rows)")
    print(f"  sweep 2 / raw SQL selection: {ratio:.2f} (aim: at most 2)")
    correct = result["first_sent"] == result["due"] == result["reminders_recorded"] and result["second_sent"] == 0
    print(f"  exactly the due reminders sent once: {'yes' if correct else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        sys.path.insert(0, str(ROOT / "src"))
        print(RESULT_MARKER + json.dumps(child(options)), flush=True)
        return
    if options.database in ("sqlite", "both"):
        report(bench_sqlite(options))
    if options.database in ("postgres", "both"):
        report(bench_postgres(options))


if __name__ == "__main__":
    main()
