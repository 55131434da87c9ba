"""All due work in one call: what the worker's minute sweep runs, and what the test clock
runs for one business right after moving its time.

Each sweep is idempotent and finds its work in the database (rule 5), so running this twice,
or in two workers at once, does nothing twice.
"""

from __future__ import annotations

from paydesk.core import clock


def run_due_work(*, business=None) -> dict[str, int]:
    """Run every sweep; with ``business``, its test-mode work at its own (test clock) time
    first. Answers how much each sweep did."""
    from paydesk.messaging.delivery import messages_deliver_due
    from paydesk.messaging.digests import staff_digests_sweep
    from paydesk.messaging.reminders import reminders_sweep
    from paydesk.messaging.webhooks import webhook_deliveries_sweep
    from paydesk.payments.automatic_charges import automatic_charges_sweep
    from paydesk.payments.refunds import refunds_retry_pending
    from paydesk.terms.autopay import plans_sweep

    done: dict[str, int] = {}
    if business is not None:
        with clock.business_time(business, livemode=False):
            # Plans first: they schedule the automatic charges of parts falling due.
            done["plans"] = plans_sweep(business=business, livemode=False)
            done["automatic_charges"] = automatic_charges_sweep(business=business, livemode=False)
            done["reminders"] = reminders_sweep(business=business, livemode=False)
    else:
        done["plans"] = plans_sweep()
        done["automatic_charges"] = automatic_charges_sweep()
        done["reminders"] = reminders_sweep()
    done["staff_digests"] = staff_digests_sweep()
    done["refunds"] = refunds_retry_pending()
    done["messages"] = messages_deliver_due()
    done["webhooks"] = webhook_deliveries_sweep()
    return done


TEST_CLOCK_STEP_SECONDS = 86400


def advance_test_clock(*, business, seconds: int):
    """Move a business's test clock forward a day at a time, running the work due after each
    day, as the worker would have while that time passed: a notice due three days before a
    charge goes out before the charge, even when the clock jumps a month. Answers the
    business and the sum of the work done."""
    from paydesk.businesses.services import business_clock_advance

    if seconds <= 0:
        business = business_clock_advance(business=business, seconds=seconds)  # refuses, with its error
    done: dict[str, int] = {}
    while seconds > 0:
        step = min(seconds, TEST_CLOCK_STEP_SECONDS)
        business = business_clock_advance(business=business, seconds=step)
        for name, count in run_due_work(business=business).items():
            done[name] = done.get(name, 0) + count
        seconds -= step
    return business, done
