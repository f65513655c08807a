"""Every signal the shifts app defines: one signal per fact. Receivers must be cheap; heavy work goes on the queue.

Both are sent after the database transaction commits (senders use transaction.on_commit), so a receiver never
sees rows that might still roll back. The signals shifts receives from volunteers (availability_changed,
login_code_issued, member_history_asked, member_anonymising) are documented in volunteers/signals.py.

assignments_changed
    When: after commit, once the assignments members can see changed: a roster version was published (a first
    publish, a republish or an applied re-plan), a swap was applied, a member reported absent was taken off the
    published roster. Sent once per such change; a publish sends nothing else.
    Arguments: member_ids (set[int]) whose personal feeds change; shift_ids (set[int]) touched;
    community_ids (set[int]) whose community and duty feeds change; removed (list of (shift_id, member_id)
    pairs taken off, optional: their calendar events are cancelled rather than left behind).
    Feeds (shifts.feeds.receivers) record the changes and invalidate their cached renders.

shift_changed
    When: after commit, once a shift's own details changed (time, place, staffing) by the shift-editing service
    (the shift's SEQUENCE was raised), or it was deleted.
    Arguments: shift_id (int), community_id (int).
    Feeds re-render the shift's event for everyone who sees it.

call_answered
    When: after commit, once a voice call's key press has been accepted: its callback was signed, fresh and not
    seen before (shifts.messaging). A replayed or unsigned callback sends nothing.
    Arguments: notification_id (int), the call's Notification; kind (str), that notification's kind (for example
    confirm_request, cover_ask, welfare_call); digit (str), the key pressed ("1", "2", …); member_id (int or
    None), the member the call was for (None for a call to staff or to a relative).
    The feature that sent the call acts on it as it would on the member's tap (confirm, take the shift, record
    a welfare answer). Receivers lock and re-check their own state: a key press may race a tap on the web.
"""

from django.dispatch import Signal

assignments_changed = Signal()
shift_changed = Signal()
call_answered = Signal()
