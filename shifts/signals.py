"""Every signal Yure defines. Receivers must be cheap; heavy work goes on the task queue.

All of them are sent after the database transaction commits (senders use transaction.on_commit), so a
receiver never sees rows that might still roll back.
"""

from django.dispatch import Signal

# Assignments that members can see changed: a roster was published, a swap applied, a repair applied,
# a published assignment removed. Feeds use it to invalidate their cached renders.
# Arguments: member_ids (set[int]) whose personal feeds change, shift_ids (set[int]) touched,
#            community_ids (set[int]) whose community and duty feeds change.
assignments_changed = Signal()

# A shift's own details changed (time, place, staffing) or it was deleted; its SEQUENCE was raised.
# Arguments: shift_id (int), community_id (int).
shift_changed = Signal()

# A roster version went live. Arguments: roster (Roster), diff (dict with "added" and "removed" lists of
# {"shift": id, "member": id}), by (User or None).
roster_published = Signal()

# A member reported they cannot come, or their availability rules changed (health, caregiving, inactive).
# Arguments: member_id (int), start (datetime), end (datetime), reason (str). Triggers a re-plan of
# published weeks that overlap [start, end).
availability_changed = Signal()
