"""Queue tasks: plain importable functions that take ids and call the services.

Enqueue them with transaction.on_commit (the services do). Each one is safe to run twice.
"""

import logging

from shifts.models import Roster

logger = logging.getLogger(__name__)


def solve_run(run_id: int) -> dict:
    """Solve one community-week run and write its draft or proposal."""
    from shifts.services.solving import solve_runs_execute

    return solve_runs_execute([run_id])


def solve_group(run_ids: list[int], district_job: str = "", district_run_ids: list[int] | None = None) -> dict:
    """Solve a connected group of communities together; the last group of a district job triggers the collect."""
    from shifts.services.solving import solve_runs_execute

    return solve_runs_execute(run_ids, district_job=district_job, district_run_ids=district_run_ids)


def district_collect(job: str, run_ids: list[int]) -> dict:
    from shifts.services.solving import district_collect as collect

    return collect(job, run_ids)


def district_improve(job: str, community_id: int, week_start: str, attempt: int = 0) -> dict:
    """Improve one community's draft of a district generate with its neighbours fixed; merged under a version
    check (refused and queued once more if a draft it read changed meanwhile)."""
    import datetime as dt

    from shifts.services.district import district_improve as improve

    return improve(job=job, community_id=community_id, week_start=dt.date.fromisoformat(week_start),
                   attempt=attempt)


def notify_roster_published(roster_id: int) -> int:
    """Tell each member whose shifts changed in this published version, and ask them to confirm their week;
    returns how many were notified."""
    from shifts.services.messages import roster_published_notify

    return roster_published_notify(Roster.objects.select_related("community").get(pk=roster_id))


def confirmations_remind() -> int:
    """Remind members who have not confirmed shifts starting within CONFIRM_REMINDER_HOURS; runs hourly."""
    from shifts.services.confirmations import confirmations_remind as remind

    return remind()


def roster_messages_catch_up() -> int:
    """Messages of rosters published while the broker was down (see shifts.services.messages)."""
    from shifts.services.messages import roster_messages_catch_up as catch_up

    return catch_up()


def solve_runs_recover() -> list[int]:
    from shifts.services.solving import solve_runs_recover as recover

    return recover()


def weekly_drafts_due() -> list[int]:
    from shifts.services.schedule import weekly_drafts_due as due

    return due()


def shift_reminders_send() -> int:
    from shifts.services.schedule import shift_reminders_send as send

    return send()


def unfilled_alerts_send() -> int:
    from shifts.services.schedule import unfilled_alerts_send as send

    return send()


def study_sessions_make() -> int:
    from shifts.services.schedule import study_sessions_make as make

    return make()


def swaps_expire_due() -> int:
    """Close swap requests whose time has come and tell the requesters; runs every 15 minutes.

    Acceptance and approval also check the expiry themselves, so a late run never lets an expired request
    through; this job only makes sure the requester hears in time."""
    from shifts.services.swaps import swaps_expire

    return swaps_expire()


def swap_messages_send(swap_id: int, kind: str) -> None:
    """Send the messages for one swap event (kind like "swaps/applied"); enqueued after the swap commits."""
    from shifts.services.swaps import swap_messages_send as send

    send(swap_id=swap_id, kind=kind)


def notification_retry(notification_id: int) -> str:
    """Try a failed message again (scheduled by notify after a transient provider error); never sends twice."""
    from shifts.services.notify import notification_deliver

    return notification_deliver(notification_id=notification_id).status


def no_show_checks_run() -> int:
    """Flag assigned members who neither checked in nor reported an absence; runs every 5 minutes."""
    from shifts.services.no_show import no_show_checks_run as run

    return run()
