"""A business's reminder policy: its friendly defaults, which step is due, and editing it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.core.errors import PaydeskError

from .models import ReminderChannel, ReminderPolicy, ReminderStep
from .reminder_rules import zone_named

# 3 days before the due date, on the day, then 3, 7 and 14 days after: all by email.
DEFAULT_STEP_OFFSETS_DAYS = (-3, 0, 3, 7, 14)
MAX_STEPS = 10
# A reminder more than a month ahead is not a reminder; after three months it is collections.
OFFSET_DAYS_RANGE = (-30, 90)


def reminder_policy_for(*, business: Business) -> ReminderPolicy:
    """The business's policy, made with the default steps the first time it is asked for."""
    policy = ReminderPolicy.objects.filter(business=business).first()
    if policy is not None:
        return policy
    try:
        with transaction.atomic():
            policy = ReminderPolicy.objects.create(business=business, updated=clock.now())
            ReminderStep.objects.bulk_create(
                ReminderStep(policy=policy, offset_days=offset, channel=ReminderChannel.EMAIL)
                for offset in DEFAULT_STEP_OFFSETS_DAYS
            )
    except IntegrityError:  # made at the same moment by another worker or page
        policy = ReminderPolicy.objects.get(business=business)
    return policy


def due_step(steps, *, due_date: datetime.date | None, today: datetime.date) -> ReminderStep | None:
    """The latest enabled step whose day has come (``due_date + offset <= today``), or None.

    Only the latest: steps whose day passed while nothing could be sent (the invoice was
    made late, or reminders were paused) are skipped for good rather than sent in a burst.
    """
    if due_date is None:
        return None
    due = [step for step in steps if step.enabled and due_date + datetime.timedelta(days=step.offset_days) <= today]
    return max(due, key=lambda step: step.offset_days, default=None)


def reminder_policy_object(policy: ReminderPolicy) -> dict:
    """The policy as event data."""
    return {
        "object": "reminder_policy",
        "business": policy.business.public_id,
        "enabled": policy.enabled,
        "quiet_start_hour": policy.quiet_start_hour,
        "quiet_end_hour": policy.quiet_end_hour,
        "time_zone": policy.business.time_zone,
        "steps": [
            {"offset_days": step.offset_days, "channel": step.channel, "enabled": step.enabled, "template": step.template}
            for step in policy.steps.all()
        ],
    }


@dataclass(frozen=True)
class StepChange:
    """One step as staff left it: an existing step (``step_id``) or a new one (None)."""

    step_id: int | None
    offset_days: int
    channel: str
    enabled: bool


def _check(
    *, quiet_start_hour: int, quiet_end_hour: int, time_zone: str, steps: list[StepChange], existing: dict[int, ReminderStep]
) -> None:
    for name, hour in (("quiet_start_hour", quiet_start_hour), ("quiet_end_hour", quiet_end_hour)):
        if not 0 <= hour <= 23:
            raise PaydeskError("parameter_invalid_value", "Quiet hours are whole hours from 0 to 23.", param=name)
    if zone_named(time_zone) is None:
        raise PaydeskError("time_zone_unknown", "Choose a time zone from the list.", param="time_zone")
    if len(existing) + sum(1 for step in steps if step.step_id is None) > MAX_STEPS:
        raise PaydeskError("too_many_steps", f"A policy has at most {MAX_STEPS} steps.", param="steps")
    listed_ids = {step.step_id for step in steps}
    # Steps left out of the edit keep their days; the edited ones must not land on them.
    seen = {step.offset_days for step_id, step in existing.items() if step_id not in listed_ids}
    listed_ids_seen: set[int | None] = set()
    low, high = OFFSET_DAYS_RANGE
    for index, step in enumerate(steps):
        param = f"steps[{index}][offset_days]"
        if step.step_id is not None and (step.step_id not in existing or step.step_id in listed_ids_seen):
            raise PaydeskError("step_unknown", "That step is not part of this policy.", param=f"steps[{index}]")
        listed_ids_seen.add(step.step_id)
        if not low <= step.offset_days <= high:
            raise PaydeskError(
                "offset_out_of_range", f"Choose a day from {-low} days before to {high} days after the due date.", param=param
            )
        if step.offset_days in seen:
            raise PaydeskError("offset_repeated", "Two steps cannot fall on the same day.", param=param)
        seen.add(step.offset_days)
        if step.channel not in ReminderChannel.values:
            raise PaydeskError("parameter_invalid_value", "Choose email or SMS.", param=f"steps[{index}][channel]")


@transaction.atomic
def reminder_policy_update(
    *,
    business: Business,
    livemode: bool,
    enabled: bool,
    quiet_start_hour: int,
    quiet_end_hour: int,
    time_zone: str,
    steps: list[StepChange],
) -> ReminderPolicy:
    """Save the policy as staff left it. Steps are changed or added, never deleted (switch
    one off instead), so reminders already sent keep their step. Refuses hours outside the
    day, an unknown zone, two steps on one day, offsets out of range and foreign steps."""
    reminder_policy_for(business=business)
    policy = ReminderPolicy.objects.select_for_update().select_related("business").get(business=business)
    existing = {step.pk: step for step in policy.steps.all()}
    _check(
        quiet_start_hour=quiet_start_hour, quiet_end_hour=quiet_end_hour, time_zone=time_zone,
        steps=steps, existing=existing,
    )
    # Two steps may swap days in one edit: move the changed ones out of the way first, so
    # the one-step-per-day constraint never sees a half-done swap.
    changed = [
        change for change in steps if change.step_id is not None and existing[change.step_id].offset_days != change.offset_days
    ]
    for position, change in enumerate(changed):
        ReminderStep.objects.filter(pk=change.step_id).update(offset_days=-1000 - position)
    for change in steps:
        if change.step_id is None:
            ReminderStep.objects.create(
                policy=policy, offset_days=change.offset_days, channel=change.channel, enabled=change.enabled
            )
        else:
            ReminderStep.objects.filter(pk=change.step_id).update(
                offset_days=change.offset_days, channel=change.channel, enabled=change.enabled
            )
    policy.enabled = enabled
    policy.quiet_start_hour, policy.quiet_end_hour = quiet_start_hour, quiet_end_hour
    policy.updated = clock.now()
    policy.save(update_fields=["enabled", "quiet_start_hour", "quiet_end_hour", "updated"])
    if business.time_zone != time_zone:
        Business.objects.filter(pk=business.pk).update(time_zone=time_zone)
        business.time_zone = policy.business.time_zone = time_zone
    from paydesk.events.services import event_record

    event_record(business=business, livemode=livemode, type="reminder_policy.updated", data=reminder_policy_object(policy))
    return policy
