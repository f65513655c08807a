"""Confirmations: after a publish each member confirms their week's shifts with one tap, in the app, through a
signed single-use link in a text message (no login), or by replying 1 or 2 to the text message.

Declining is "I can't come": every shift of that week not yet begun is reported as an absence, which starts the
re-plan like any reported absence. A confirmation still unanswered CONFIRM_REMINDER_HOURS
before its first shift gets one reminder; after that it is listed on the secretary's dashboard.
"""

import datetime as dt
import hashlib
import logging
import re
import secrets
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member
from shifts.models import Assignment, Notification, Roster, SmsReplySeen, WeekConfirmation
from shifts.rostering.absences import absence_report
from volunteers.models import Member, Unavailability
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

_SALT = "yure.shifts.confirmation"


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _new_link(confirmation: WeekConfirmation) -> str:
    """A fresh signed single-use link; the previous one stops working (only the newest nonce's hash is kept)."""
    nonce = secrets.token_urlsafe(9)
    confirmation.token_hash = _nonce_hash(nonce)
    confirmation.token_used_at = None
    token = signing.Signer(salt=_SALT).sign(f"{confirmation.pk}.{nonce}")
    return f"{settings.SITE_URL}{reverse('confirm_link', args=[token])}"


def _token_parts(token: str) -> tuple[int, str] | None:
    """(confirmation id, nonce) from a link's token when its signature is right; None for anything forged."""
    try:
        pk, nonce = signing.Signer(salt=_SALT).unsign(token).split(".", 1)
        return int(pk), nonce
    except (signing.BadSignature, ValueError):
        return None


def _link_usable(confirmation: WeekConfirmation, nonce: str) -> bool:
    """The link is the newest one sent, it was not used, and the week has not begun."""
    return (confirmation.token_hash == _nonce_hash(nonce) and confirmation.token_used_at is None
            and confirmation.first_start > timezone.now())


def confirmation_by_token(token: str) -> WeekConfirmation | None:
    """The confirmation a link is for, if its signature is right, it was not used and it has not expired.
    Only for showing the buttons: answering checks all of it again under the row lock."""
    parts = _token_parts(token)
    if parts is None:
        return None
    confirmation = WeekConfirmation.objects.select_related("member").filter(pk=parts[0]).first()
    if confirmation is None or not _link_usable(confirmation, parts[1]):
        return None
    return confirmation


def confirmation_by_spent_token(token: str) -> WeekConfirmation | None:
    """The confirmation a link was for, used or not, while it is the newest link sent: for 我又能来了 after the
    member answered "I can't come" through it (the undo checks everything else itself)."""
    parts = _token_parts(token)
    if parts is None:
        return None
    confirmation = WeekConfirmation.objects.select_related("member", "community").filter(pk=parts[0]).first()
    if confirmation is None or confirmation.token_hash != _nonce_hash(parts[1]):
        return None
    return confirmation


def _week_assignments(member: Member, community_id: int, week_start: dt.date, *, upcoming: bool = True):
    rows = Assignment.objects.filter(member=member, roster__community_id=community_id,
                                     roster__week_start=week_start, roster__status=Roster.Status.PUBLISHED)
    if upcoming:
        rows = rows.filter(shift__start__gt=timezone.now())
    return rows.select_related("shift__duty", "shift__community").order_by("shift__start")


def confirmations_request(*, roster: Roster, changes: dict | None = None) -> int:
    """Ask each member whose shifts in this published version changed (all of them for version 1) to confirm.
    Idempotent: the message dedupe key carries the roster version. Returns how many were asked.

    changes: member id -> what this version changed for them (shifts.rostering.messages); the request then says
    it too, so a member hears of a publish in one message, not a change and a request in the same second."""
    diff = roster.diff or {}
    changed = {item["member"] for key in ("added", "removed") for item in diff.get(key, [])}
    holders = set(roster.assignments.values_list("member_id", flat=True))
    asked = 0
    for member in Member.objects.filter(pk__in=holders, active=True):
        existing = WeekConfirmation.objects.filter(member=member, community=roster.community,
                                                   week_start=roster.week_start).first()
        if existing is not None and member.pk not in changed and roster.version != 1:
            continue
        mine = list(_week_assignments(member, roster.community_id, roster.week_start))
        if not mine:
            continue
        asked += _ask(member=member, roster=roster, assignments=mine, existing=existing,
                      change=(changes or {}).get(member.pk, {}))
    return asked


def _ask(*, member, roster, assignments, existing, change=None) -> int:
    with transaction.atomic():
        confirmation = existing or WeekConfirmation(member=member, community=roster.community,
                                                    week_start=roster.week_start,
                                                    first_start=assignments[0].shift.start)
        if existing is not None and existing.roster_version == roster.version:
            return 0
        confirmation.roster_version = roster.version
        confirmation.first_start = assignments[0].shift.start
        confirmation.state = WeekConfirmation.State.PENDING
        confirmation.answered_at = confirmation.answered_by = confirmation.reminded_at = None
        confirmation.via = ""
        confirmation.requested_at = timezone.now()
        confirmation.save()
        link = _new_link(confirmation)
        confirmation.save(update_fields=["token_hash", "token_used_at"])
    notify_member(member=member, kind="confirm_request",
                  dedupe_key=f"confirm:{confirmation.pk}:v{roster.version}",
                  context={"week_start": roster.week_start, "link": link, "replies": bool(settings.SMS_CALLBACK_SECRET),
                           "shifts": [shift_line(a.shift) for a in assignments], **(change or {})},
                  urgent=bool((change or {}).get("urgent")))
    return 1


def confirmation_answer(*, confirmation: WeekConfirmation, accept: bool, by=None, via: str,
                        proxy=None, reason: str = "", note: str = "") -> WeekConfirmation:
    """Confirm, or decline ("I can't come": each shift of the week not yet begun becomes an absence, with the
    member's reason, an Unavailability.Reason; shifts.rostering.week_decline undoes it until a replacement is
    published)."""
    with transaction.atomic():
        locked = _locked(confirmation.pk)
        return _answer_locked(locked, accept=accept, by=by, via=via, proxy=proxy, reason=reason, note=note)


def _locked(confirmation_id: int) -> WeekConfirmation:
    # of=("self",): lock the answer's row only, not the member's, which absence_report locks next.
    return (WeekConfirmation.objects.select_for_update(of=("self",)).select_related("member")
            .get(pk=confirmation_id))


def _answer_locked(confirmation: WeekConfirmation, *, accept: bool, by, via: str, proxy, reason: str = "",
                   note: str = "") -> WeekConfirmation:
    """The answer, given the row lock: everything it depends on is read again here, after the lock.

    The same answer again (a double tap, a retried reply) changes nothing. "I can't come" after "I will come"
    is a change of mind and stands. "I will come" after "I can't come" is refused: the member is already off the
    week's shifts and their places are being filled, so a yes now would mark a week confirmed that they no
    longer hold; 我又能来了 (shifts.rostering.week_decline) puts them back while no replacement is published."""
    wanted = WeekConfirmation.State.CONFIRMED if accept else WeekConfirmation.State.DECLINED
    if confirmation.state == wanted:
        return confirmation
    if accept and confirmation.state == WeekConfirmation.State.DECLINED:
        raise ValidationError({"confirmation": _("You already told us you cannot come this week. If you can come "
                                                 "after all, press “I can come after all” on My shifts, or call "
                                                 "your secretary.")})
    if reason not in Unavailability.Reason.values:
        reason = Unavailability.Reason.OTHER
    if accept and confirmation.first_start <= timezone.now():
        raise ValidationError({"confirmation": _("These shifts have already begun.")})
    now = timezone.now()
    confirmation.state = wanted
    confirmation.answered_at = now
    confirmation.answered_by = by if getattr(by, "is_authenticated", False) else None
    confirmation.via = WeekConfirmation.Via.PROXY if proxy is not None else via
    confirmation.token_used_at = confirmation.token_used_at or (now if via == WeekConfirmation.Via.LINK else None)
    confirmation.save()
    member = confirmation.member
    if not accept:
        for assignment in _week_assignments(member, confirmation.community_id, confirmation.week_start):
            absence_report(member=member, start=assignment.shift.start, end=assignment.shift.end,
                           reason=reason, by=by, note=note or _("Answered: I can't come"))
    audit_log(action=f"shifts.confirmation.{'confirmed' if accept else 'declined'}", actor=by,
              community=confirmation.community, obj=confirmation,
              data={"member": member.pk, "week": confirmation.week_start.isoformat(), "via": via,
                    **({} if accept else {"reason": reason}),
                    **({"proxy": proxy.pk, "proxy_name": proxy.name} if proxy is not None else {})})
    return confirmation


def confirmation_answer_by_link(*, token: str, accept: bool, reason: str = "",
                                note: str = "") -> WeekConfirmation | None:
    """The no-login link: works once; None when it is forged, used or expired.

    Twenty presses of one link at once queue on the row lock; the first marks the link used, and each of the
    others finds it used when its turn comes."""
    parts = _token_parts(token)
    if parts is None:
        return None
    with transaction.atomic():
        try:
            confirmation = _locked(parts[0])
        except WeekConfirmation.DoesNotExist:
            return None
        if not _link_usable(confirmation, parts[1]):
            return None
        confirmation = _answer_locked(confirmation, accept=accept, by=None, via=WeekConfirmation.Via.LINK,
                                      proxy=None, reason=reason, note=note)
        if confirmation.token_used_at is None:  # a repeated answer: the link is spent all the same
            confirmation.token_used_at = timezone.now()
            confirmation.save(update_fields=["token_used_at"])
        return confirmation


def _shifts_left(now: dt.datetime):
    """The confirmation's member still has a shift of that week, not begun, in the published roster: a week whose
    shifts were all taken away (a swap, a re-plan, a removal) has nothing left to confirm."""
    return Exists(Assignment.objects.filter(
        member_id=OuterRef("member_id"), roster__community_id=OuterRef("community_id"),
        roster__week_start=OuterRef("week_start"), roster__status=Roster.Status.PUBLISHED, shift__start__gt=now))


def confirmations_pending(member: Member):
    now = timezone.now()
    return (WeekConfirmation.objects.filter(_shifts_left(now), member=member, state=WeekConfirmation.State.PENDING,
                                            first_start__gt=now)
            .select_related("community").order_by("first_start"))


def confirmations_remind(now: dt.datetime | None = None) -> int:
    """One reminder for each confirmation still unanswered when its first shift is CONFIRM_REMINDER_HOURS away.
    Idempotent (reminded_at). Returns how many were reminded."""
    now = now or timezone.now()
    due = (WeekConfirmation.objects.filter(state=WeekConfirmation.State.PENDING, reminded_at__isnull=True,
                                           first_start__gt=now,
                                           first_start__lte=now + dt.timedelta(hours=settings.CONFIRM_REMINDER_HOURS))
           .select_related("member"))
    count = 0
    for confirmation in due:
        with transaction.atomic():
            confirmation.reminded_at = now
            link = _new_link(confirmation)
            confirmation.save(update_fields=["reminded_at", "token_hash", "token_used_at"])
        assignments = _week_assignments(confirmation.member, confirmation.community_id, confirmation.week_start)
        notify_member(member=confirmation.member, kind="confirm_reminder",
                      dedupe_key=f"confirm-reminder:{confirmation.pk}:v{confirmation.roster_version}",
                      context={"week_start": confirmation.week_start, "link": link,
                               "replies": bool(settings.SMS_CALLBACK_SECRET),
                               "shifts": [shift_line(a.shift) for a in assignments]})
        count += 1
    return count


def confirmations_overdue(*, community_ids, now: dt.datetime | None = None):
    """Unanswered confirmations whose first shift is within CONFIRM_REMINDER_HOURS: the reminder has gone (or
    was due) and the secretary should ring."""
    now = now or timezone.now()
    return list(WeekConfirmation.objects.filter(
        _shifts_left(now), community_id__in=community_ids, state=WeekConfirmation.State.PENDING, first_start__gt=now,
        first_start__lte=now + dt.timedelta(hours=settings.CONFIRM_REMINDER_HOURS))
        .select_related("member", "community").order_by("first_start"))


# The dedupe keys confirmations_request and confirmations_remind give their messages (a relative's copy ends :p<id>).
_CONFIRM_MESSAGE_KEY = re.compile(r"^confirm(?:-reminder)?:(\d+):v(\d+)(?::p\d+)?$")
REPLY_SEEN_KEPT = dt.timedelta(days=1)


def sms_reply_handle(*, reply_id: str, reply_to: str, phone: str, text: str) -> WeekConfirmation | None:
    """A text-message reply (上行短信): "1" confirms, "2" is "I can't come", for the week of the message it replies
    to (`reply_to`, the provider's id of our message), never another week.

    Each reply is taken once, by the provider's id of the reply (`reply_id`): the same signed reply sent again is
    refused. Returns the confirmation answered, or None when the reply does nothing: not 1 or 2, seen before, not a
    reply to a confirmation request sent to this number, or a request whose week has changed (a newer one was sent)
    or begun."""
    if not reply_id or not reply_to:
        return None
    with transaction.atomic():
        if not _reply_first_seen(reply_id):
            logger.warning("text-message reply %s was taken before: refused as a replay", reply_id)
            return None
        answer = unicodedata.normalize("NFKC", text or "").strip()[:1]
        if answer not in ("1", "2"):
            return None
        found = _replied_confirmation(reply_to=reply_to, phone=phone)
        if found is None:
            return None
        confirmation, proxy = found
        try:
            with transaction.atomic():
                return _answer_locked(confirmation, accept=answer == "1", by=None, via=WeekConfirmation.Via.SMS,
                                      proxy=proxy)
        except ValidationError as exc:  # a 1 after a 2: the member is told on the phone, not by a reply
            logger.info("text-message reply %s refused: %s", reply_id, " ".join(exc.messages))
            return None


def _reply_first_seen(reply_id: str) -> bool:
    """Record the reply's id; False when it was recorded before. The unique index decides between two
    deliveries of one reply at once: the second waits for the first and then finds it."""
    SmsReplySeen.objects.filter(received_at__lt=timezone.now() - REPLY_SEEN_KEPT).delete()
    try:
        with transaction.atomic():
            SmsReplySeen.objects.create(provider_message_id=reply_id[:100])
    except IntegrityError:
        return False
    return True


def _replied_confirmation(*, reply_to: str, phone: str):
    """(locked confirmation, relative or None) that our message `reply_to`, sent to `phone`, asked about; None
    when there is no such message, or its week's question has been asked again since or the week has begun."""
    message = (Notification.objects.filter(provider_message_id=reply_to, channel=Notification.Channel.SMS,
                                           address=phone, kind__in=("confirm_request", "confirm_reminder"))
               .select_related("proxy").first())
    match = _CONFIRM_MESSAGE_KEY.match(message.dedupe_key) if message is not None else None
    if match is None:
        return None
    try:
        confirmation = _locked(int(match[1]))
    except WeekConfirmation.DoesNotExist:
        return None
    member_id = message.proxy.member_id if message.proxy_id else message.member_id
    if (confirmation.member_id != member_id or confirmation.roster_version != int(match[2])
            or confirmation.first_start <= timezone.now() or not confirmation.member.active):
        return None
    if message.proxy_id and message.proxy.revoked_at is not None:
        return None
    return confirmation, message.proxy
