"""Card payments per second through the service layer, against the same rows written by raw SQL.

    .venv/bin/python bench/payments.py [--database sqlite|postgres|both] [--payments N]

For each database it builds a fresh one (SQLite in a temporary PAYDESK_DATA_DIR; PostgreSQL
from PAYDESK_DATABASE_URL if set, else a throwaway server started with
scripts/postgres-start.sh), migrates it, makes one business, one customer and enough open
invoices, then times rounds of N payments on each of two paths, which take turns in blocks of
25 so that load from anything else on the machine falls on both alike:

* service: ``payment_create(invoice=..., card=4242...)``, the real path (row lock, sandbox
  charge, payment, allocation, two journal transactions, four events, invoice update);
* raw SQL: the same final rows written to the same tables by hand-written statements on the
  same driver connection, one transaction per payment (the invoice is read with
  ``SELECT ... FOR UPDATE`` on PostgreSQL, under ``BEGIN IMMEDIATE`` on SQLite).

Before timing it checks that one service payment and one raw payment add the same number of
rows to every table, and afterwards that ``ledger_check()`` finds the books balanced.
On PostgreSQL it also runs pgbench TPC-B (``-c 1 -j 1``) on the same server as a second
reference. It prints payments/second (median of the rounds) and ratios; it never fails on a
figure. ``--profile`` adds a cProfile of extra service payments on stderr.

Each database is measured in its own child process, because Django's settings are read once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_payments import CARD_NUMBER, RawPayments  # noqa: E402 (the folder is on the path just now)
RESULT_MARKER = "BENCH-RESULT "
BLOCK = 25  # payments per turn when the two paths alternate within a round


# --------------------------------------------------------------------------------------------
# The child: one database, Django set up against it.
# --------------------------------------------------------------------------------------------


def _table_counts(connection) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _receipt_sample(connection) -> dict | None:
    """The receipt the service queued for the last payment, if it queues one."""
    if "messaging_message" not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.public_id, m.locale, m.subject, m.context, m.body_text, m.body_html FROM messaging_message m"
            " JOIN payments_payment p ON p.id = m.payment_id WHERE m.template = 'receipt' ORDER BY m.id DESC"
        )
        row = cursor.fetchone()
    if row is None:
        return None
    sample = dict(zip(("payment_id", "locale", "subject", "context", "body_text", "body_html"), row))
    if not isinstance(sample["context"], str):  # PostgreSQL hands JSON back parsed
        sample["context"] = json.dumps(sample["context"])
    return sample


def _difference(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}


def run_worker(options) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paydesk.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from paydesk.businesses.services import business_create
    from paydesk.customers.services import customer_create
    from paydesk.invoicing.models import Invoice
    from paydesk.invoicing.services import NewLine, invoice_create, invoice_finalize
    from paydesk.ledger.checks import ledger_check
    from paydesk.payments.models import Payment
    from paydesk.payments.services import payment_create
    from paydesk.providers.base import CardDetails

    call_command("migrate", verbosity=0)
    business = business_create(name="Benchmark Plumbing", email="owner@bench.test").business
    customer = customer_create(business=business, livemode=False, name="Ada", email="ada@bench.test")
    lines = [NewLine("Labour", 2, 4500, Decimal("20")), NewLine("Parts", 3, 1299, Decimal("20"))]

    def new_invoices(count: int) -> list:
        return [
            invoice_finalize(
                invoice=invoice_create(
                    business=business, livemode=False, customer=customer, currency="usd", lines=lines
                )
            )
            for _ in range(count)
        ]

    card = CardDetails(CARD_NUMBER, 12, 2030, "123")
    raw = RawPayments(connection, settings.BASE_URL + reverse("hosted-invoice", kwargs={"token": "TOKEN"}))
    payments, rounds, warmup = options.payments, options.rounds, options.warmup

    started = time.perf_counter()
    service_invoices = new_invoices(1 + warmup + rounds * payments)
    raw_invoices = new_invoices(1 + warmup + rounds * payments)
    setup_seconds = time.perf_counter() - started

    # The baseline must write what the service writes: compare row counts for one of each.
    before = _table_counts(connection)
    with CaptureQueriesContext(connection) as queries:
        payment_create(invoice=service_invoices.pop(), card=card)
    middle = _table_counts(connection)
    raw.receipt_sample = _receipt_sample(connection)
    raw.statements = 0
    try:
        raw.pay(raw_invoices.pop().pk)
    except Exception as error:  # the driver's own error types differ by database
        raise SystemExit(f"the raw SQL baseline no longer fits the schema ({error}): update RawPayments") from error
    after = _table_counts(connection)
    service_rows, raw_rows = _difference(before, middle), _difference(middle, after)
    if service_rows != raw_rows:
        raise SystemExit(f"raw SQL writes {raw_rows}, the service layer writes {service_rows}: fix RawPayments")
    service_statements, raw_statements = len(queries.captured_queries), raw.statements

    for invoice in service_invoices[:warmup]:
        payment_create(invoice=invoice, card=card)
    for invoice in raw_invoices[:warmup]:
        raw.pay(invoice.pk)

    # Wall time is the figure; this process's CPU time is kept beside it to show how much of
    # a payment is Python here rather than waiting on the database.
    cpu_seconds = {"service": 0.0, "raw": 0.0}

    def time_service(invoices) -> float:
        cpu_started, started = time.process_time(), time.perf_counter()
        for invoice in invoices:
            payment_create(invoice=invoice, card=card)
        elapsed = time.perf_counter() - started
        cpu_seconds["service"] += time.process_time() - cpu_started
        return elapsed

    def time_raw(invoices) -> float:
        cpu_started, started = time.process_time(), time.perf_counter()
        for invoice in invoices:
            raw.pay(invoice.pk)
        elapsed = time.perf_counter() - started
        cpu_seconds["raw"] += time.process_time() - cpu_started
        return elapsed

    # Within a round the two paths take turns in blocks, so a burst of load from anything
    # else on the machine falls on both and the ratio stays fair.
    service_rates, raw_rates, service_wall, raw_wall = [], [], 0.0, 0.0
    for round_index in range(rounds):
        start = warmup + round_index * payments
        service_seconds = raw_seconds = 0.0
        for block_index, block_start in enumerate(range(start, start + payments, BLOCK)):
            block = slice(block_start, min(block_start + BLOCK, start + payments))
            if (round_index + block_index) % 2 == 0:
                service_seconds += time_service(service_invoices[block])
                raw_seconds += time_raw(raw_invoices[block])
            else:
                raw_seconds += time_raw(raw_invoices[block])
                service_seconds += time_service(service_invoices[block])
        service_rates.append(payments / service_seconds)
        raw_rates.append(payments / raw_seconds)
        service_wall += service_seconds
        raw_wall += raw_seconds
        print(
            f"  {connection.vendor} round {round_index + 1}: service {service_rates[-1]:.0f}/s,"
            f" raw SQL {raw_rates[-1]:.0f}/s",
            file=sys.stderr,
            flush=True,
        )

    if options.profile:
        _profile(new_invoices(payments), payment_create, card)

    succeeded = Payment.objects.filter(status="succeeded").count()
    expected = 2 * (1 + warmup + rounds * payments) + (payments if options.profile else 0)
    if succeeded != expected or Invoice.objects.filter(status="open").exists():
        raise SystemExit(f"expected {expected} succeeded payments and no open invoice, found {succeeded}")
    check = ledger_check()
    if not check["balanced"]:
        raise SystemExit(f"ledger check failed: {check['problems'][:5]}")

    server = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for setting in ("server_version", "fsync", "synchronous_commit"):
                cursor.execute(f"SHOW {setting}")
                server[setting] = cursor.fetchone()[0]
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            server["journal_mode"] = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            server["synchronous"] = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[cursor.fetchone()[0]]
            server["sqlite_version"] = cursor.connection.execute("select sqlite_version()").fetchone()[0]
    return {
        "database": "postgres" if connection.vendor == "postgresql" else "sqlite",
        "cpu_count": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "payments": payments,
        "rounds": rounds,
        "warmup": warmup,
        "service_rates": service_rates,
        "raw_rates": raw_rates,
        "service_rate": statistics.median(service_rates),
        "raw_rate": statistics.median(raw_rates),
        "rows_per_payment": service_rows,
        "service_statements": service_statements,
        # Per payment over all timed rounds, milliseconds: wall, and CPU of this process.
        "service_ms": {"wall": 1000 * service_wall / (rounds * payments),
                       "cpu": 1000 * cpu_seconds["service"] / (rounds * payments)},
        "raw_ms": {"wall": 1000 * raw_wall / (rounds * payments),
                   "cpu": 1000 * cpu_seconds["raw"] / (rounds * payments)},
        "raw_statements": raw_statements,
        "setup_seconds": setup_seconds,
        "ledger_check": {"balanced": check["balanced"], "entries": check["entries_checked"]},
        "server": server,
    }


def _profile(invoices, payment_create, card) -> None:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for invoice in invoices:
        payment_create(invoice=invoice, card=card)
    profiler.disable()
    # Cumulative time of Paydesk's own functions shows which step of a payment costs what;
    # the functions with the most time of their own show where that time is spent.
    for order, restriction, title in (
        ("cumulative", (r"src/paydesk/", 30), "Paydesk functions by cumulative time"),
        ("tottime", (25,), "all functions by own time"),
    ):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(*restriction)
        print(f"\n--- cProfile of {len(invoices)} service payments: {title} ---", file=sys.stderr)
        print(text.getvalue().replace(str(ROOT) + "/", ""), file=sys.stderr)


# --------------------------------------------------------------------------------------------
# The parent: make each database, run the child, run pgbench, clean up, report.
# --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin(name: str) -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda path: int(path.parts[-3]))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found")
    return found


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


def _run_child(options, environment: dict[str, str]) -> dict:
    command = [sys.executable, __file__, "--worker", "--payments", str(options.payments),
               "--rounds", str(options.rounds), "--warmup", str(options.warmup)]
    if options.profile:
        command.append("--profile")
    completed = subprocess.run(command, env=environment, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    if completed.returncode != 0:
        raise SystemExit(f"benchmark child failed ({completed.returncode}):\n{completed.stdout}")
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    raise SystemExit(f"benchmark child printed no result:\n{completed.stdout}")


def _child_environment(data_dir: str, database_url: str = "") -> dict[str, str]:
    environment = dict(os.environ, PAYDESK_DATA_DIR=data_dir, PAYDESK_DEBUG="0")  # DEBUG logs every query
    environment["PAYDESK_DATABASE_URL"] = database_url
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), environment.get("PYTHONPATH")]))
    return environment


def bench_sqlite(options) -> dict:
    data_dir = tempfile.mkdtemp(prefix="paydesk-bench-sqlite-")
    try:
        print("sqlite: measuring ...", file=sys.stderr, flush=True)
        return _run_child(options, _child_environment(data_dir))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _pgbench(url: str, seconds: int) -> dict:
    parsed = urlparse(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = parsed.password
    connection_arguments = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432),
                            "-U", parsed.username or "postgres", parsed.path.lstrip("/")]
    pgbench = _postgres_bin("pgbench")
    subprocess.run([pgbench, "-i", "-q", *connection_arguments], env=environment, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    completed = subprocess.run([pgbench, "-c", "1", "-j", "1", "-T", str(seconds), *connection_arguments],
                               env=environment, check=True, capture_output=True, text=True)
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", completed.stdout)
    if match is None:
        raise SystemExit(f"cannot read pgbench's tps:\n{completed.stdout}")
    return {"tps": float(match.group(1)), "seconds": seconds}


def bench_postgres(options) -> dict:
    import psycopg

    data_dir = tempfile.mkdtemp(prefix="paydesk-bench-pg-data-")
    server_dir = None
    base_url = os.environ.get("PAYDESK_DATABASE_URL", "").strip()
    suffix = secrets.token_hex(4)
    databases = [f"paydesk_bench_{suffix}", f"pgbench_{suffix}"]
    created: list[str] = []
    admin = None
    try:
        if not base_url:
            server_dir = tempfile.mkdtemp(prefix="paydesk-bench-pg-server-")
            started = subprocess.run([str(ROOT / "scripts/postgres-start.sh"), server_dir, str(_free_port())],
                                     check=True, capture_output=True, text=True)
            base_url = started.stdout.strip().splitlines()[-1]
        admin = psycopg.connect(base_url.replace("postgres://", "postgresql://", 1), autocommit=True)
        for name in databases:
            admin.execute(f'CREATE DATABASE "{name}"')
            created.append(name)
        print(f"postgres ({'own throwaway server' if server_dir else 'PAYDESK_DATABASE_URL'}): measuring ...",
              file=sys.stderr, flush=True)
        result = _run_child(options, _child_environment(data_dir, _with_database(base_url, databases[0])))
        print(f"postgres: pgbench TPC-B for {options.pgbench_seconds} s ...", file=sys.stderr, flush=True)
        result["pgbench"] = _pgbench(_with_database(base_url, databases[1]), options.pgbench_seconds)
        result["server"]["source"] = "throwaway server (scripts/postgres-start.sh)" if server_dir else "PAYDESK_DATABASE_URL"
        return result
    finally:
        if admin is not None:
            for name in created:
                try:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                except psycopg.Error as error:
                    print(f"could not drop database {name}: {error}", file=sys.stderr)
            admin.close()
        if server_dir is not None:
            subprocess.run([str(ROOT / "scripts/postgres-stop.sh"), server_dir], check=False)
            shutil.rmtree(server_dir, ignore_errors=True)
        shutil.rmtree(data_dir, ignore_errors=True)


def report(results: list[dict]) -> None:
    print()
    print(f"Card payments per second, median of {results[0]['rounds']} rounds of {results[0]['payments']}"
          f" (after {results[0]['warmup']} warm-up), one payment per transaction, one connection:")
    print(f"{'database':<10} {'service/s':>10} {'raw SQL/s':>10} {'service/raw':>12}   statements per payment")
    for result in results:
        print(f"{result['database']:<10} {result['service_rate']:>10.0f} {result['raw_rate']:>10.0f}"
              f" {result['service_rate'] / result['raw_rate']:>12.2f}"
              f"   service {result['service_statements']}, raw {result['raw_statements']} (incl. BEGIN/COMMIT)")
    for result in results:
        rounds = ", ".join(f"{service:.0f}/{raw:.0f}" for service, raw in zip(result["service_rates"], result["raw_rates"]))
        print(f"  {result['database']} rounds (service/raw): {rounds}; server: "
              + ", ".join(f"{key}={value}" for key, value in result["server"].items()))
        print(f"  {result['database']} machine: {result['cpu_count']} CPUs, load average after the run"
              f" {' '.join(map(str, result['load_average']))}; invoice set-up {result['setup_seconds']:.1f} s")
        print(f"  {result['database']} per payment: service {result['service_ms']['wall']:.2f} ms"
              f" ({result['service_ms']['cpu']:.2f} ms CPU in this process), raw SQL {result['raw_ms']['wall']:.2f} ms"
              f" ({result['raw_ms']['cpu']:.2f} ms CPU in this process)")
        if result["database"] == "sqlite":
            # SQLite runs inside this process, so CPU time is nearly all its work and, unlike
            # wall time, is not stretched when other programs take the CPUs.
            print(f"  sqlite service/raw by CPU time instead of wall time:"
                  f" {result['raw_ms']['cpu'] / result['service_ms']['cpu']:.2f}")
        if "pgbench" in result:
            tps = result["pgbench"]["tps"]
            print(f"  pgbench TPC-B -c 1 -j 1 -T {result['pgbench']['seconds']} on the same server: {tps:.0f} tps;"
                  f" service payments/s / pgbench tps = {result['service_rate'] / tps:.3f},"
                  f" raw SQL payments/s / pgbench tps = {result['raw_rate'] / tps:.3f}")
    rows = results[0]["rows_per_payment"]
    print("  rows added per payment, both paths: " + ", ".join(f"{table} {count}" for table, count in sorted(rows.items()))
          + "; invoice updated to paid; ledger check balanced")
    print("  aim: service >= 0.50 of raw SQL -> "
          + "; ".join(f"{result['database']} {'met' if result['service_rate'] >= 0.5 * result['raw_rate'] else 'NOT met'}"
                      for result in results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--payments", type=int, default=300, help="payments per timed round (default 300)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the median is reported (default 3)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed payments on each path first (default 20)")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="cProfile extra service payments, on stderr")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.payments < 1 or options.rounds < 1 or options.warmup < 0:
        parser.error("--payments and --rounds must be positive, --warmup not negative")
    if options.worker:
        print(RESULT_MARKER + json.dumps(run_worker(options)), flush=True)
        return

    # A terminated run still stops its PostgreSQL and removes its directories (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []
    if options.database in ("sqlite", "both"):
        results.append(bench_sqlite(options))
    if options.database in ("postgres", "both"):
        results.append(bench_postgres(options))
    report(results)


if __name__ == "__main__":
    main()
