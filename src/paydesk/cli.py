"""The ``paydesk`` command: set up, serve, work, and check the books.

    paydesk migrate
    paydesk serve [--host H] [--port P]     web server and an in-process worker
    paydesk web [--host H] [--port P]       web server only (many processes on PostgreSQL)
    paydesk worker [--workers N]            job worker only
    paydesk demo [--host H] [--port P]      migrate, load demo data, serve
    paydesk business create --name N --email E [--password P] [--json]
    paydesk stripe connect --business biz_... --publishable-key pk_... [--live]
    paydesk ledger check [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paydesk.config.settings")
    import django

    django.setup()


def _migrate(quiet: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


def _start_worker(workers: int):
    """Start huey's scheduler and worker threads in this process and return the consumer."""
    from huey.contrib.djhuey import HUEY

    consumer = HUEY.create_consumer(workers=workers, worker_type="thread", periodic=True, check_worker_health=True)
    consumer.start()
    return consumer


def _serve_web(host: str, port: int, threads: int) -> None:
    from waitress import serve

    from paydesk.config.wsgi import application

    print(f"Paydesk is serving at http://{host}:{port}/", flush=True)
    serve(application, host=host, port=port, threads=threads, ident="Paydesk")


def _stop_on_signals(consumer) -> None:
    """Huey installs its own handlers; put back ones that stop the whole process."""

    def stop(signum, frame):
        if consumer is not None:
            consumer.stop(graceful=False)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def command_migrate(arguments) -> int:
    _migrate()
    return 0


def command_serve(arguments, *, with_worker: bool = True) -> int:
    consumer = _start_worker(arguments.workers) if with_worker else None
    _stop_on_signals(consumer)
    try:
        _serve_web(arguments.host, arguments.port, arguments.threads)
    finally:
        if consumer is not None:
            consumer.stop(graceful=False)
    return 0


def command_web(arguments) -> int:
    return command_serve(arguments, with_worker=False)


def command_worker(arguments) -> int:
    from huey.contrib.djhuey import HUEY

    consumer = HUEY.create_consumer(workers=arguments.workers, worker_type="thread", periodic=True)
    print("Paydesk worker running", flush=True)
    consumer.run()
    return 0


def command_demo(arguments) -> int:
    _migrate(quiet=True)
    from paydesk.demo.data import demo_load

    summary = demo_load()
    print("", flush=True)
    print(f"Demo business: {summary['business_name']}", flush=True)
    print(f"Staff login:   http://{arguments.host}:{arguments.port}/dashboard/", flush=True)
    print(f"               email {summary['email']}  password {summary['password']}", flush=True)
    print(f"Sample invoice to pay: {summary['sample_invoice_url']}", flush=True)
    print(f"API secret key: {summary['secret_key']}", flush=True)
    print("", flush=True)
    return command_serve(arguments)


def command_business_create(arguments) -> int:
    from paydesk.businesses.services import business_create
    from paydesk.core.errors import PaydeskError

    try:
        created = business_create(name=arguments.name, email=arguments.email, password=arguments.password)
    except PaydeskError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    result = {
        "id": created.business.public_id,
        "secret_key": created.secret_key,
        "publishable_key": created.publishable_key,
    }
    if arguments.json:
        print(json.dumps(result))
    else:
        print(f"Business {created.business.name} ({result['id']})")
        print(f"  secret key:      {result['secret_key']}")
        print(f"  publishable key: {result['publishable_key']}")
        print("Keep the secret key safe: it is shown only now.")
    return 0


def command_stripe_connect(arguments) -> int:
    """Connect a business to its Stripe account; the secrets are asked for, not passed, so
    they stay out of the shell history and the process list."""
    import getpass

    from paydesk.businesses.models import Business
    from paydesk.core.errors import PaydeskError
    from paydesk.providers.stripe.services import stripe_connection_create

    business = Business.objects.filter(public_id=arguments.business).first()
    if business is None:
        print(f"error: no business {arguments.business}", file=sys.stderr)
        return 2
    read_secret = getpass.getpass if sys.stdin.isatty() else (lambda prompt: sys.stdin.readline().strip())
    try:
        connection = stripe_connection_create(
            business=business,
            livemode=arguments.live,
            secret_key=read_secret("Stripe secret key (sk_...): "),
            publishable_key=arguments.publishable_key,
            webhook_secret=read_secret("Stripe webhook signing secret (whsec_...): "),
        )
    except PaydeskError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    mode = "live" if connection.livemode else "test"
    print(f"Connected {business.name} ({business.public_id}) to Stripe in {mode} mode.")
    print(f"Register this webhook endpoint in Stripe: /providers/stripe/webhooks/{business.public_id}")
    return 0


def command_ledger_check(arguments) -> int:
    from paydesk.ledger.checks import ledger_check

    report = ledger_check()
    if arguments.json:
        print(json.dumps(report))
    else:
        verdict = "balanced" if report["balanced"] else "NOT balanced"
        print(
            f"Ledger {verdict}: {report['transactions_checked']} transactions, "
            f"{report['invoices_checked']} invoices, {report['payments_checked']} payments checked."
        )
        for problem in report["problems"]:
            print(f"  - {problem}")
    return 0 if report["balanced"] else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paydesk", description="Paydesk, a payments desk for small businesses.")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="create or update the database tables").set_defaults(handler=command_migrate)

    def server_options(subparser, *, workers: bool = True):
        subparser.add_argument("--host", default="127.0.0.1")
        subparser.add_argument("--port", type=int, default=8000)
        subparser.add_argument("--threads", type=int, default=8, help="web request threads")
        if workers:
            subparser.add_argument("--workers", type=int, default=2, help="job worker threads")

    serve = commands.add_parser("serve", help="web server with an in-process job worker")
    server_options(serve)
    serve.set_defaults(handler=command_serve)
    web = commands.add_parser("web", help="web server only")
    server_options(web, workers=False)
    web.set_defaults(handler=command_web)
    worker = commands.add_parser("worker", help="job worker only")
    worker.add_argument("--workers", type=int, default=2)
    worker.set_defaults(handler=command_worker)
    demo = commands.add_parser("demo", help="load demo data and serve it")
    server_options(demo)
    demo.set_defaults(handler=command_demo)

    business = commands.add_parser("business", help="manage businesses").add_subparsers(dest="action", required=True)
    create = business.add_parser("create", help="create a business with a pair of test API keys")
    create.add_argument("--name", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="also create the owner's staff login")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=command_business_create)

    stripe = commands.add_parser("stripe", help="connect Stripe").add_subparsers(dest="action", required=True)
    connect = stripe.add_parser("connect", help="connect a business to its Stripe account (asks for the secrets)")
    connect.add_argument("--business", required=True, help="the business id, biz_...")
    connect.add_argument("--publishable-key", required=True, help="pk_test_... or pk_live_...")
    connect.add_argument("--live", action="store_true", help="connect the live account (default: test)")
    connect.set_defaults(handler=command_stripe_connect)

    ledger = commands.add_parser("ledger", help="check the books").add_subparsers(dest="action", required=True)
    check = ledger.add_parser("check", help="prove every transaction balances and every invoice adds up")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=command_ledger_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if getattr(arguments, "port", None) and not os.environ.get("PAYDESK_BASE_URL"):
        # Links in pages, emails and API answers must point where this server listens.
        host = "127.0.0.1" if arguments.host in ("0.0.0.0", "::") else arguments.host
        os.environ["PAYDESK_BASE_URL"] = f"http://{host}:{arguments.port}"
    _setup_django()
    return arguments.handler(arguments)


if __name__ == "__main__":
    sys.exit(main())
