"""The raw-SQL side of bench/payments.py: the same rows a service-layer card payment writes,
by hand-written statements on the driver's connection, one transaction per payment."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone
from decimal import Decimal

CARD_NUMBER = "4242424242424242"
LINE_COLUMN = 21  # where the invoice line's columns start in RawPayments' invoice query
FEE_BASIS_POINTS = 290  # the sandbox's fee, paydesk.providers.sandbox.provider


def _unix(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


def _public_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18)}"  # 24 characters, like paydesk.core.ids


class RawPayments:
    """A card payment for an open invoice written with plain SQL on the driver's connection.

    Writes the rows the service layer leaves behind (checked by row counts before timing):
    1 payment, 1 sandbox charge, 1 allocation, 2 journal transactions with 2 entries each,
    4 events carrying the same JSON shapes, the queued receipt email, and the invoice marked
    paid. The receipt is not rendered here: its subject and bodies are the ones the service
    rendered for the check payment (``receipt_sample``), so rendering counts as service cost
    while the bytes written are the same.
    """

    def __init__(self, connection, hosted_url_template: str):
        self.receipt_sample: dict | None = None
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.cursor = connection.connection.cursor()  # the driver's own cursor: no ORM, no wrapper
        self.hosted_url_template = hosted_url_template
        self.statements = 0
        postgres = self.vendor == "postgresql"
        self.begin = "BEGIN" if postgres else "BEGIN IMMEDIATE"
        lock = " FOR UPDATE OF i" if postgres else ""
        self.json_cast = "::jsonb" if postgres else ""
        sql = {
            "invoice": (
                "SELECT i.id, i.public_id, i.livemode, i.business_id, i.customer_id, c.public_id,"
                " i.number, i.status, i.currency, i.description, i.due_date, i.subtotal,"
                " i.discount_amount, i.tax, i.total, i.amount_paid, i.hosted_token, i.created,"
                " i.finalized_at, i.voided_at, c.email,"
                " l.public_id, l.description, l.quantity, l.unit_amount, l.tax_rate_percent,"
                " l.amount, l.discount_amount, l.tax_amount"
                " FROM invoicing_invoice i"
                " JOIN customers_customer c ON c.id = i.customer_id"
                " LEFT JOIN invoicing_invoiceline l ON l.invoice_id = i.id"
                " WHERE i.id = %s ORDER BY l.position" + lock
            ),
            "payment": (
                "INSERT INTO payments_payment (public_id, business_id, livemode, invoice_id,"
                " customer_id, amount, currency, status, method_type, provider, provider_reference,"
                " card_brand, card_last4, card_exp_month, card_exp_year, failure_code, decline_code,"
                " failure_message, next_action_url, return_url, fee_amount, amount_refunded, created,"
                " succeeded_at, failed_at, canceled_at, wallet, saved_method_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, 'succeeded', 'card', 'sandbox', %s, %s, %s,"
                " %s, %s, '', '', '', '', '', %s, 0, %s, %s, NULL, NULL, '', NULL) RETURNING id"
            ),
            "charge": (
                "INSERT INTO sandbox_sandboxcharge (reference, merchant_reference, amount, currency,"
                " status, card_brand, card_last4, card_exp_month, card_exp_year, decline_code,"
                " amount_refunded, return_url, created)"
                " VALUES (%s, %s, %s, %s, 'succeeded', %s, %s, %s, %s, '', 0, '', %s)"
            ),
            "allocation": (
                "INSERT INTO payments_paymentallocation (payment_id, invoice_id, amount, created)"
                " VALUES (%s, %s, %s, %s)"
            ),
            "journal": (
                "INSERT INTO ledger_journaltransaction (public_id, business_id, livemode, kind,"
                " description, created) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id"
            ),
            "entries": (
                "INSERT INTO ledger_journalentry (transaction_id, business_id, account, currency,"
                " amount_minor, invoice_id, payment_id, refund_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, NULL), (%s, %s, %s, %s, %s, %s, %s, NULL)"
            ),
            "event": (
                "INSERT INTO events_event (public_id, business_id, livemode, type, data, created)"
                f" VALUES (%s, %s, %s, %s, %s{self.json_cast}, %s)"
            ),
            "message": (
                'INSERT INTO messaging_message (public_id, business_id, livemode, customer_id, invoice_id,'
                ' payment_id, channel, "to", locale, template, subject, context, body_text, body_html, status,'
                " attempt_count, last_error, next_attempt_at, dedupe_key, created, sent_at)"
                f" VALUES (%s, %s, %s, %s, %s, %s, 'email', %s, %s, 'receipt', %s, %s{self.json_cast}, %s, %s, 'queued', 0, '',"
                " %s, %s, %s, NULL)"
            ),
            "invoice_paid": (
                "UPDATE invoicing_invoice SET amount_paid = %s, status = 'paid', paid_at = %s"
                " WHERE id = %s"
            ),
        }
        if not postgres:  # sqlite3 speaks qmark
            sql = {name: text.replace("%s", "?") for name, text in sql.items()}
        self.sql = sql

    def _timestamp(self, moment: datetime):
        # What Django itself sends: aware datetimes to PostgreSQL, naive UTC text to SQLite.
        return moment if self.vendor == "postgresql" else moment.replace(tzinfo=None).isoformat(" ")

    def _execute(self, name: str, parameters=()):
        self.statements += 1
        self.cursor.execute(self.sql[name], parameters)

    def pay(self, invoice_id: int) -> None:
        cursor = self.cursor
        self.statements += 1
        cursor.execute(self.begin)
        try:
            self._pay(invoice_id)
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        self.statements += 1
        cursor.execute("COMMIT")

    def _pay(self, invoice_id: int) -> None:
        self._execute("invoice", (invoice_id,))
        rows = self.cursor.fetchall()
        (
            _, invoice_public_id, livemode, business_id, customer_id, customer_public_id, number,
            status, currency, description, due_date, subtotal, discount_amount, tax, total,
            amount_paid, hosted_token, invoice_created, finalized_at, voided_at, customer_email,
        ) = rows[0][:LINE_COLUMN]
        if status != "open" or total - amount_paid <= 0:
            raise RuntimeError(f"invoice {invoice_public_id} is not payable ({status})")
        amount = total - amount_paid
        fee = amount * FEE_BASIS_POINTS // 10_000
        now = datetime.now(timezone.utc)
        stamp = self._timestamp(now)
        payment_public_id = _public_id("pay")
        charge_reference = _public_id("tok")

        self._execute(
            "payment",
            (payment_public_id, business_id, livemode, invoice_id, customer_id, amount, currency,
             charge_reference, "visa", CARD_NUMBER[-4:], 12, 2030, fee, stamp, stamp),
        )
        payment_id = self.cursor.fetchone()[0]
        payment = {
            "id": payment_public_id, "object": "payment", "livemode": bool(livemode),
            "invoice": invoice_public_id, "customer": customer_public_id, "amount": amount,
            "amount_refunded": 0, "currency": currency, "status": "requires_payment_method",
            "payment_method": {"type": "card", "card": None, "wallet": None, "saved": None},
            "bank_transfer": None, "provider": "sandbox",
            "fee_amount": 0, "last_payment_error": None, "next_action": None, "created": _unix(now),
        }
        self._event(business_id, livemode, "payment.created", payment, stamp)
        self._execute(
            "charge",
            (charge_reference, payment_public_id, amount, currency, "visa", CARD_NUMBER[-4:], 12, 2030, stamp),
        )
        self._execute("allocation", (payment_id, invoice_id, amount, stamp))
        self._journal(business_id, livemode, "payment_succeeded", f"Payment {payment_public_id}", stamp,
                      currency, ("cash_at_provider", amount, invoice_id), ("accounts_receivable", -amount, invoice_id),
                      payment_id)
        self._journal(business_id, livemode, "provider_fee", f"Provider fee on {payment_public_id}", stamp,
                      currency, ("provider_fees", fee, None), ("cash_at_provider", -fee, None), payment_id)
        self._execute("invoice_paid", (total, stamp, invoice_id))
        invoice = {
            "id": invoice_public_id, "object": "invoice", "livemode": bool(livemode),
            "customer": customer_public_id, "number": number or None, "status": "paid",
            "currency": currency, "description": description,
            "due_date": due_date.isoformat() if hasattr(due_date, "isoformat") else due_date,
            "subtotal": subtotal, "discount_amount": discount_amount, "tax": tax, "total": total,
            "amount_paid": total, "amount_remaining": 0,
            "lines": [
                {
                    "id": line[0], "object": "line_item", "description": line[1], "quantity": line[2],
                    "unit_amount": line[3], "tax_rate_percent": format(Decimal(str(line[4])).normalize(), "f"),
                    "amount": line[5], "discount_amount": line[6], "tax_amount": line[7],
                }
                for line in (row[LINE_COLUMN:] for row in rows)
                if line[0] is not None
            ],
            "hosted_url": self.hosted_url_template.replace("TOKEN", hosted_token),
            "pay_on_delivery": False, "transfer_reference": None,
            "created": _unix(invoice_created), "finalized_at": _unix(finalized_at),
            "paid_at": _unix(now), "voided_at": _unix(voided_at),
        }
        self._event(business_id, livemode, "invoice.payment_succeeded", invoice, stamp)
        self._event(business_id, livemode, "invoice.paid", invoice, stamp)
        payment.update(
            status="succeeded", fee_amount=fee,
            payment_method={"type": "card", "card": {"brand": "visa", "last4": CARD_NUMBER[-4:],
                                                     "exp_month": 12, "exp_year": 2030},
                            "wallet": None, "saved": None},
        )
        self._event(business_id, livemode, "payment.succeeded", payment, stamp)
        sample = self.receipt_sample
        if sample is not None and customer_email:
            texts = [sample[field].replace(sample["payment_id"], payment_public_id)
                     for field in ("subject", "context", "body_text", "body_html")]
            self._execute(
                "message",
                (_public_id("msg"), business_id, livemode, customer_id, invoice_id, payment_id, customer_email,
                 sample["locale"], *texts, stamp, f"receipt:{payment_public_id}", stamp),
            )

    def _event(self, business_id, livemode, type_, data, stamp) -> None:
        self._execute("event", (_public_id("evt"), business_id, livemode, type_, json.dumps(data), stamp))

    def _journal(self, business_id, livemode, kind, description, stamp, currency, debit, credit, payment_id):
        self._execute("journal", (_public_id("jtx"), business_id, livemode, kind, description, stamp))
        transaction_id = self.cursor.fetchone()[0]
        parameters = []
        for account, amount, invoice_id in (debit, credit):
            parameters += [transaction_id, business_id, account, currency, amount, invoice_id, payment_id]
        self._execute("entries", parameters)
