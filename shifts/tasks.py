"""Queue tasks: plain importable functions that take ids and call the services.

Enqueue them with transaction.on_commit (the services do). Each one is safe to run twice.
"""

import datetime as dt
import logging

from shifts.delivered import no_show, welfare_ladder, welfare_run
from shifts.delivered.attendance_import import attendance_import_job_run
from shifts.messaging import jobs as message_jobs
from shifts.messaging import notify
from shifts.models import Roster
from shifts.rostering import absences, confirmations, district, messages, receivers, schedule, solver_queue, solving
from shifts.rostering.cover import calldown as cover_calldown
from shifts.rostering.cover import notices as cover_notices
from shifts.swaps import apply as swap_apply
from shifts.swaps import messages as swap_messages
from volunteers.services.import_jobs import import_task_guarded

logger = logging.getLogger(__name__)


def solve_run(run_id: int) -> dict:
    """Solve one community-week run and write its draft or proposal."""
    return solving.solve_runs_execute([run_id])


def solve_group(run_ids: list[int], district_job: str = "", district_run_ids: list[int] | None = None) -> dict:
    """Solve a connected group of communities together; the last group of a district job triggers the collect."""
    return solving.solve_runs_execute(run_ids, district_job=district_job, district_run_ids=district_run_ids)


def district_collect(job: str, run_ids: list[int]) -> dict:
    return district.district_collect(job, run_ids)


def district_improve(job: str, community_id: int, week_start: str, attempt: int = 0) -> dict:
    """Improve one community's draft of a district generate with its neighbours fixed; merged under a version
    check (refused and queued once more if a draft it read changed meanwhile)."""
    return district.district_improve(job=job, community_id=community_id, week_start=dt.date.fromisoformat(week_start),
                                     attempt=attempt)


def solver_piece_run(piece_id: int) -> str:
    """One piece of a district solve (a group of the sweep, or a move), for its coordinator on any machine."""
    return solver_queue.solver_piece_run(piece_id=piece_id)


def notify_roster_published(roster_id: int) -> int:
    """Tell each member whose shifts changed in this published version, and ask them to confirm their week;
    returns how many were notified."""
    return messages.roster_published_notify(Roster.objects.select_related("community").get(pk=roster_id))


def confirmations_remind() -> int:
    """Remind members who have not confirmed shifts starting within CONFIRM_REMINDER_HOURS; runs hourly."""
    return confirmations.confirmations_remind()


def roster_messages_catch_up() -> int:
    """Messages of rosters published while the broker was down (see shifts.rostering.messages)."""
    return messages.roster_messages_catch_up()


def solve_runs_recover() -> list[int]:
    solver_queue.solver_pieces_purge()      # pieces of district solves whose coordinator died
    return solving.solve_runs_recover()


def weekly_drafts_due() -> list[int]:
    return schedule.weekly_drafts_due()


def shift_reminders_send() -> int:
    return schedule.shift_reminders_send()


def unfilled_alerts_send() -> int:
    return schedule.unfilled_alerts_send()


def study_sessions_make() -> int:
    return schedule.study_sessions_make()


def swaps_expire_due() -> int:
    """Close swap requests whose time has come and tell the requesters; runs every 15 minutes.

    Acceptance and approval also check the expiry themselves, so a late run never lets an expired request
    through; this job only makes sure the requester hears in time."""
    return swap_apply.swaps_expire()


def swap_messages_send(swap_id: int, kind: str) -> None:
    """Send the messages for one swap event (kind like "swaps/applied"); enqueued after the swap commits."""
    swap_messages.swap_messages_send(swap_id=swap_id, kind=kind)


def notification_retry(notification_id: int) -> str:
    """Try a failed message again (scheduled by notify after a transient provider error); never sends twice."""
    return notify.notification_deliver(notification_id=notification_id).status


def voice_fallback_send(notification_id: int) -> str:
    """A voice-only member's call finally failed (busy, no answer, refused number, daily limit): send the text
    message held for it (shifts.messaging.voice)."""
    return notify.notification_release(notification_id=notification_id).status


def no_show_checks_run() -> dict:
    """The no-show check's old schedule name: the welfare ladder's periodic check does it now."""
    return welfare_ladders_run()


def welfare_ladders_run() -> dict:
    """Flag no-shows and overdue patrols, start their welfare ladders and take every due step; every minute."""
    return welfare_run.welfare_ladders_run()


def welfare_calls_send(items: list) -> int:
    """Place a pass's welfare-ladder calls ([ladder id, step] each; step 0: tell the welfare contact the member is
    unreachable); queued by the periodic check as message jobs."""
    return welfare_ladder.welfare_calls_send(items=items)


def no_show_leader_send(check_ids: list[int]) -> None:
    """Ask team leaders who are there to look round for their missing members."""
    no_show.no_show_leader_send(check_ids=check_ids)


def attendance_import_run(job_id: int) -> str:
    """Read (in a resource-limited child process), check and, when confirmed, import one attendance book; if it
    fails, its job says so."""
    return import_task_guarded(job_id, attendance_import_job_run)


def message_job_run(job_id: int) -> bool:
    """Send the messages an event recorded (shifts.messaging.jobs); a job already done is skipped."""
    return message_jobs.message_job_run(job_id=job_id)


def absence_confirmation_send(absence_id: int) -> None:
    """Tell the member their absence is recorded; queued by absence_report as a message job."""
    absences.absence_confirmation_send(absence_id=absence_id)


def no_show_welfare_send(check_id: int) -> None:
    """Tell the welfare contact (or the secretaries) that a member living alone or over 80 did not answer."""
    no_show.no_show_welfare_send(check_id=check_id)


def login_code_send(member_id: int, proxy_id: int | None, link: str, code: str, code_page: str) -> None:
    """Text a one-time login the secretary issued to the member or their relative."""
    receivers.login_code_send(member_id=member_id, proxy_id=proxy_id, link=link, code=code, code_page=code_page)


def message_jobs_catch_up() -> int:
    """Send the messages of events whose queue job never ran (broker down); runs every 5 minutes."""
    return message_jobs.message_jobs_catch_up()


def cover_calls_advance() -> dict:
    """Start call-downs for published shifts short within COVER_CALL_HOURS, and ask the next wave of each open
    one when it is due; runs every 2 minutes (shifts.rostering.cover.calldown)."""
    return cover_calldown.cover_calls_run()


def cover_call_advance(call_id: int) -> int:
    """One step of one call-down (its first wave, or the next one after everyone asked said no)."""
    return cover_calldown.cover_call_advance(call_id=call_id)


def cover_ask_send(ask_id: int) -> None:
    cover_notices.cover_ask_send(ask_id=ask_id)


def cover_taken_send(call_id: int) -> int:
    return cover_notices.cover_taken_send(call_id=call_id)


def cover_staff_send(call_id: int, kind: str, round_no: int = 0, new: int = 0) -> None:
    cover_notices.cover_staff_send(call_id=call_id, kind=kind, round_no=round_no, new=new)


def cover_replan_short_send(roster_id: int, run_id: int, started: list[int], short: list[int]) -> None:
    cover_notices.cover_replan_short_send(roster_id=roster_id, run_id=run_id, started=started, short=short)
