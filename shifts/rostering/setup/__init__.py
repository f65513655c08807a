"""What a secretary sets up from the web: duties, weekly templates, visit households, one new member, and one
shift of a published week.

Every write calls full_clean (so the pages enforce what the models say), is audited under shifts.setup.* and,
for a template or a household, makes the weeks not yet published follow it. Their shifts are changed in place
(the same rows), so the draft places, pins and decisions that members and secretaries gave stay attached; only a
run that no longer exists is removed, and the report names the draft places that went with it and the places kept
that now break a rule. The open drafts are then solved again on the queue, keeping pins. A published week is never
changed behind the members' backs; one of its shifts is changed through shift_edit, which raises the shift's
SEQUENCE and tells the feeds.

One module a job: duties, templates, households, members (one new member), published_shift (one shift of a
published week), follow (the weeks not yet published follow a template or a household) and saving (checked,
saved and audited writes). The set-up pages import them from here.
"""

from shifts.rostering.setup.duties import duty_delete, duty_editable_by, duty_save
from shifts.rostering.setup.households import household_draft_places, visit_target_delete, visit_target_save
from shifts.rostering.setup.members import member_add
from shifts.rostering.setup.published_shift import shift_edit
from shifts.rostering.setup.templates import (
    template_delete,
    template_draft_places,
    template_published_shifts,
    template_save,
)
from shifts.rostering.setup.unpublished import FollowReport, template_shifts_follow

__all__ = [
    "FollowReport",
    "duty_delete",
    "duty_editable_by",
    "duty_save",
    "household_draft_places",
    "member_add",
    "shift_edit",
    "template_delete",
    "template_draft_places",
    "template_published_shifts",
    "template_save",
    "template_shifts_follow",
    "visit_target_delete",
    "visit_target_save",
]
