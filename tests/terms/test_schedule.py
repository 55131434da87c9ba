"""The schedule's amounts always add up exactly to what remained, whatever the total and the
number of parts; the odd minor units sit on one part only."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paydesk.core.money import MAX_AMOUNT_MINOR
from paydesk.terms.enums import PlanInterval
from paydesk.terms.schedule import add_months, plan_schedule, schedule_problem

dates = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2040, 12, 31))


@settings(max_examples=600, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=MAX_AMOUNT_MINOR),
    parts=st.integers(min_value=1, max_value=60),
    interval=st.sampled_from(list(PlanInterval)),
    start=dates,
    deposit_share=st.one_of(st.just(0), st.integers(min_value=1, max_value=99)),
)
def test_parts_add_up_exactly_with_the_remainder_on_one_part(amount, parts, interval, start, deposit_share):
    deposit = amount * deposit_share // 100 if parts > 1 else 0
    if schedule_problem(amount=amount, parts=parts, deposit_amount=deposit):
        return
    schedule = plan_schedule(amount=amount, parts=parts, interval=interval, start_date=start, deposit_amount=deposit)
    assert len(schedule) == parts
    assert sum(part.amount for part in schedule) == amount
    assert all(part.amount > 0 for part in schedule)
    split = schedule[1:] if deposit else schedule
    if deposit:
        assert schedule[0].amount == deposit
    # Every split part but the first is the same; the first carries the remainder only.
    assert len({part.amount for part in split[1:]}) <= 1
    if len(split) > 1:
        assert 0 <= split[0].amount - split[1].amount < len(split)
    assert schedule[0].due_date == start
    assert all(earlier.due_date < later.due_date for earlier, later in zip(schedule, schedule[1:]))


def test_three_monthly_parts_of_300():
    schedule = plan_schedule(amount=30000, parts=3, interval=PlanInterval.MONTH, start_date=datetime.date(2026, 11, 22))
    assert [(part.due_date.isoformat(), part.amount) for part in schedule] == [
        ("2026-11-22", 10000),
        ("2026-12-22", 10000),
        ("2027-01-22", 10000),
    ]


def test_the_remainder_goes_on_the_first_part():
    schedule = plan_schedule(amount=10000, parts=3, interval=PlanInterval.WEEK, start_date=datetime.date(2026, 1, 1))
    assert [part.amount for part in schedule] == [3334, 3333, 3333]
    assert [part.due_date.day for part in schedule] == [1, 8, 15]


def test_a_deposit_is_the_first_part_and_the_rest_is_split():
    schedule = plan_schedule(
        amount=30000, parts=3, interval=PlanInterval.MONTH, start_date=datetime.date(2026, 1, 10), deposit_amount=10001
    )
    assert [part.amount for part in schedule] == [10001, 10000, 9999]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 1, 31), 2, datetime.date(2026, 3, 31)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2026, 12, 15), 1, datetime.date(2027, 1, 15)),
    ],
)
def test_month_ends_are_kept_without_drifting(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("amount", "parts", "deposit", "problem"),
    [
        (0, 3, 0, "nothing_owed"),
        (2, 3, 0, "installments_too_small"),
        (100, 0, 0, "installments_invalid"),
        (100, 1, 10, "deposit_invalid"),
        (100, 2, 100, "deposit_invalid"),
        (100, 3, 99, "installments_too_small"),
    ],
)
def test_impossible_schedules_are_named(amount, parts, deposit, problem):
    assert schedule_problem(amount=amount, parts=parts, deposit_amount=deposit) == problem
