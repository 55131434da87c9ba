import pytest

from paydesk.core.errors import InvalidTransition, PaydeskError
from paydesk.events.models import Event
from paydesk.invoicing.enums import INVOICE_TRANSITIONS, InvoiceStatus
from paydesk.invoicing.services import NewLine, invoice_finalize, invoice_mark_uncollectible, invoice_void
from paydesk.ledger.checks import ledger_check
from paydesk.payments.services import payment_create

from ..conftest import card, make_invoice

ALL = list(InvoiceStatus)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [(current, target, target in INVOICE_TRANSITIONS[current]) for current in ALL for target in ALL],
)
def test_transition_table_is_complete_and_final_states_are_final(current, target, allowed):
    final = {InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE}
    if current in final:
        assert not allowed
    if current == InvoiceStatus.DRAFT:
        assert allowed == (target in {InvoiceStatus.OPEN, InvoiceStatus.VOID})


def test_finalizing_numbers_invoices_in_a_gapless_series(business, customer):
    numbers = [make_invoice(business, customer).number for _ in range(3)]
    assert numbers == ["INV-0001", "INV-0002", "INV-0003"]


def test_finalizing_twice_is_refused_with_a_named_error(open_invoice):
    with pytest.raises(InvalidTransition) as raised:
        invoice_finalize(invoice=open_invoice)
    assert raised.value.code == "invoice_unexpected_state"


def test_a_zero_total_invoice_is_paid_when_finalized(business, customer):
    invoice = make_invoice(business, customer, lines=[NewLine("Free check-up", 1, 0)])
    assert invoice.status == InvoiceStatus.PAID
    assert ledger_check()["balanced"]


def test_voiding_an_open_invoice_reverses_its_receivable(open_invoice):
    voided = invoice_void(invoice=open_invoice)
    assert voided.status == InvoiceStatus.VOID and voided.amount_remaining == 0
    assert Event.objects.filter(type="invoice.voided", data__id=open_invoice.public_id).count() == 1
    assert ledger_check()["balanced"]


def test_an_invoice_with_payments_cannot_be_voided(open_invoice):
    payment_create(invoice=open_invoice, card=card(), amount=100)
    with pytest.raises(PaydeskError) as raised:
        invoice_void(invoice=open_invoice)
    assert raised.value.code == "invoice_has_payments"


def test_writing_off_books_the_remainder_as_bad_debt(open_invoice):
    payment_create(invoice=open_invoice, card=card(), amount=2000)
    written_off = invoice_mark_uncollectible(invoice=open_invoice)
    assert written_off.status == InvoiceStatus.UNCOLLECTIBLE
    assert ledger_check()["balanced"]
    with pytest.raises(PaydeskError) as raised:
        payment_create(invoice=written_off, card=card())
    assert raised.value.code == "invoice_uncollectible"
