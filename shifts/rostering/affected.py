"""Who a new published version affects, and the plain message each of them gets: the one reading that both the
proposal page's preview ("3 人会收到通知") and the messages sent after adopting it use, so the preview is what is
sent.

A person is affected when the version adds them to a shift, takes them off one, moves them (taken off one shift
and put on another: one change naming both), or changes who is on a shift they keep (their teammate changed).
Each affected person gets one message per adopted version (shifts.rostering.messages), however many of these
apply. Nothing here is sensitive: shifts are named as shifts.messaging.labels names them (a home visit by its
household only to its visitor), people by name only.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shifts.messaging.labels import shift_label, shift_line
from shifts.models import Roster, Shift
from shifts.rostering.rosters import roster_diff, roster_pairs
from shifts.rostering.selectors import roster_for_week
from volunteers.models import Member


@dataclass
class Change:
    """One thing that changes for a person: `kind` is added, removed, moved (from `before` to `shift`) or
    partner (they keep `shift`, the others on it changed). `with_names`: who is on `shift` with them after."""
    kind: str
    shift: Shift
    before: Shift | None = None
    with_names: list[str] = field(default_factory=list)

    @property
    def start(self) -> dt.datetime:
        return (self.before or self.shift).start if self.kind == "moved" else self.shift.start


@dataclass
class Affected:
    member: Member
    changes: list[Change]
    holds_upcoming: bool = False  # still on a shift of the week that has not begun

    @property
    def asked_to_confirm(self) -> bool:
        """Their message is the request to confirm the week (shifts.rostering.confirmations.confirmations_request
        asks an active member whose shifts changed and who still holds one to come); otherwise a plain one."""
        return self.own and self.holds_upcoming and self.member.active

    @property
    def own(self) -> bool:
        """Their own shifts changed (not only a teammate)."""
        return any(c.kind != "partner" for c in self.changes)

    @property
    def kind(self) -> str:
        """The notification kind of their message when they are not asked to confirm the week."""
        return "roster_changed" if self.own else "partner_changed"

    def lines(self, *, private: bool = True) -> list[str]:
        """The plain sentences of their message, in the active language. `private`: the reader may see a home
        visit's household (the member themself, or staff of the community)."""
        return [change_sentence(c, private=private) for c in self.changes]


def _names(names: list[str]) -> str:
    separator = "、" if (translation.get_language() or "").startswith("zh") else ", "
    return separator.join(names)


def change_sentence(change: Change, *, private: bool = True) -> str:
    """'您从 巡逻 3月3日 周二 09:00–11:00 调到 巡逻 3月4日 周三 19:00–21:00（同班：王一）' and its kin. A shift the
    person no longer holds is named as anyone may read it (they are no longer its visitor)."""
    here = shift_label(change.shift, private=private)
    mates = _names(change.with_names)
    if change.kind == "removed":
        return _("You are taken off %(shift)s.") % {"shift": shift_label(change.shift)}
    if change.kind == "partner":
        if not mates:
            return _("Your teammate on %(shift)s changed: nobody else is on it with you now.") % {"shift": here}
        return _("Your teammate on %(shift)s changed: now with you: %(names)s.") % {"shift": here, "names": mates}
    if change.kind == "moved":
        text = _("You are moved from %(before)s to %(shift)s") % {"before": shift_label(change.before),
                                                                  "shift": here}
    else:
        text = _("You are added to %(shift)s") % {"shift": here}
    if mates:
        return _("%(change)s, with %(names)s.") % {"change": text, "names": mates}
    return _("%(change)s.") % {"change": text}


def roster_affected(roster: Roster, diff: dict | None = None) -> list[Affected]:
    """Everyone whose shifts or teammates change when `roster` becomes (or became) the published version, by
    name. `diff`: its changes against the version it replaces; a published roster's own recorded diff when
    not given (what its messages say), a proposal's against the current published version on its page."""
    diff = roster.diff if diff is None else diff
    diff = diff or {}
    own = defaultdict(lambda: {"added": [], "removed": []})  # member id -> shift ids
    touched = defaultdict(set)  # shift id -> members added to or taken off it
    for key in ("added", "removed"):
        for item in diff.get(key, []):
            own[item["member"]][key].append(item["shift"])
            touched[item["shift"]].add(item["member"])
    if not touched:
        return []
    on_shift = defaultdict(list)  # the version's people on each touched shift
    for shift_id, member_id in (roster.assignments.filter(shift_id__in=touched)
                                .order_by("member__name", "member_id").values_list("shift_id", "member_id")):
        on_shift[shift_id].append(member_id)
    people = Member.objects.filter(pk__in=set(own) | {m for ms in on_shift.values() for m in ms}).in_bulk()
    shifts = Shift.objects.filter(pk__in=touched).select_related("duty", "community").in_bulk()

    def mates(shift_id: int, member_id: int) -> list[str]:
        return [people[m].name for m in on_shift.get(shift_id, []) if m != member_id]

    changes = defaultdict(list)
    for member_id, mine in own.items():
        added = sorted(mine["added"], key=lambda pk: shifts[pk].start)
        removed = sorted(mine["removed"], key=lambda pk: shifts[pk].start)
        moves = min(len(added), len(removed))  # taken off one and put on another: one move, earliest first
        for before, after in zip(removed[:moves], added[:moves], strict=True):
            changes[member_id].append(Change("moved", shifts[after], shifts[before], mates(after, member_id)))
        changes[member_id] += [Change("added", shifts[pk], None, mates(pk, member_id)) for pk in added[moves:]]
        changes[member_id] += [Change("removed", shifts[pk]) for pk in removed[moves:]]
    for shift_id, members in on_shift.items():
        for member_id in members:
            if member_id not in touched[shift_id]:  # they keep the shift; the others on it changed
                changes[member_id].append(Change("partner", shifts[shift_id], None, mates(shift_id, member_id)))
    upcoming = set(roster.assignments.filter(member_id__in=changes, shift__start__gt=timezone.now())
                   .values_list("member_id", flat=True))
    affected = [Affected(people[pk], sorted(found, key=lambda c: c.start), pk in upcoming)
                for pk, found in changes.items()]
    return sorted(affected, key=lambda a: (a.member.name, a.member.pk))


def proposal_affected(proposal: Roster) -> list[Affected]:
    """Who adopting this re-plan proposal tells what: its changes against the week's published version now (the
    diff roster_publish will record, since adopting requires that version to be current)."""
    published = roster_for_week(proposal.community, proposal.week_start, Roster.Status.PUBLISHED)
    return roster_affected(proposal, roster_diff(published, roster_pairs(proposal)))


def affected_context(roster: Roster, person: Affected) -> dict:
    """The message context of one affected person (templates shifts/mail/roster_changed, partner_changed and
    confirm_request), in the person's language; no health, caregiving or address."""
    with translation.override(person.member.language or settings.LANGUAGE_CODE):
        said = person.lines(private=True)
    return {
        "week_start": roster.week_start, "version": roster.version, "urgent": roster.urgent,
        "first_version": roster.version == 1, "said": said,
        # The shifts they now hold (with where to meet) and those they no longer do.
        "added": [shift_line(c.shift, private=True) for c in person.changes if c.kind in ("added", "moved")],
        "removed": [shift_line(c.before if c.kind == "moved" else c.shift) for c in person.changes
                    if c.kind in ("removed", "moved")],
        # For the text message's short parameters: which shift, and who is on it with them now.
        "partners": [{"shift": shift_line(c.shift), "with": c.with_names} for c in person.changes
                     if c.kind == "partner"],
    }
