from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from paydesk.invoicing.calculation import LineInput, invoice_amounts


def test_discount_spreads_over_lines_and_tax_is_on_the_discounted_amount():
    lines = [
        LineInput("Call-out", 1, 8000, Decimal("20")),
        LineInput("Fittings", 3, 1250, Decimal("7.5")),
    ]
    amounts = invoice_amounts(lines, 500)
    assert [line.discount_amount for line in amounts.lines] == [340, 160]
    assert [line.tax_amount for line in amounts.lines] == [1532, 269]
    assert (amounts.subtotal, amounts.discount, amounts.tax, amounts.total) == (11750, 500, 1801, 13051)


def test_free_lines_take_no_discount():
    amounts = invoice_amounts([LineInput("Free check", 1, 0, Decimal("20")), LineInput("Repair", 1, 1000, Decimal("0"))], 100)
    assert [line.discount_amount for line in amounts.lines] == [0, 100]
    assert amounts.total == 900


line_strategy = st.builds(
    LineInput,
    description=st.just("line"),
    quantity=st.integers(min_value=1, max_value=1000),
    unit_amount=st.integers(min_value=0, max_value=10**8),
    tax_rate_percent=st.decimals(min_value=0, max_value=100, places=4),
)


@given(lines=st.lists(line_strategy, min_size=1, max_size=20), data=st.data())
def test_invoice_amounts_are_consistent(lines, data):
    subtotal = sum(line.quantity * line.unit_amount for line in lines)
    discount = data.draw(st.integers(min_value=0, max_value=subtotal))
    amounts = invoice_amounts(lines, discount)
    assert amounts.subtotal == subtotal
    assert sum(line.discount_amount for line in amounts.lines) == discount
    assert all(0 <= line.discount_amount <= line.amount for line in amounts.lines)
    assert sum(line.tax_amount for line in amounts.lines) == amounts.tax
    assert amounts.total == subtotal - discount + amounts.tax
    assert amounts.total >= 0
