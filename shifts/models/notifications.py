"""Every message sent to a member or secretary, recorded once: the dedupe key makes retries harmless."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models import Community, Member, MemberProxy


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        VOICE = "voice", _("Voice call")

    class Delivery(models.TextChoices):
        UNKNOWN = "", _("Not reported")
        ACCEPTED = "accepted", _("Accepted by the provider")
        DELIVERED = "delivered", _("Delivered to the phone")
        UNDELIVERED = "undelivered", _("Not delivered")
        # Voice calls: what the provider reported about the call.
        ANSWERED = "answered", _("Answered")
        BUSY = "busy", _("Busy")
        NO_ANSWER = "no_answer", _("No answer")
        CALL_FAILED = "call_failed", _("Call failed")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No address")
        HELD = "held", _("Held for the voice call")  # a voice-only member's text: sent only if every call fails

    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=60)
    member = models.ForeignKey(Member, models.CASCADE, null=True, blank=True, related_name="notifications",
                               verbose_name=_("member"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("staff"))
    proxy = models.ForeignKey(MemberProxy, models.CASCADE, null=True, blank=True, related_name="notifications",
                              verbose_name=_("relative"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Text messages: the number, the template parameters (kept so a retry sends exactly the same message),
    # the provider's id for the message and what it reported about delivery.
    address = models.CharField(_("sent to"), max_length=40, blank=True, db_index=True)
    sms_params = models.JSONField(_("text message parameters"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True, db_index=True)
    delivery_status = models.CharField(_("delivery"), max_length=12, choices=Delivery.choices, blank=True,
                                       default=Delivery.UNKNOWN)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # Voice calls (channel VOICE): the key the member pressed, and the text message held back for a voice-only
    # member, sent if the call finally fails (shifts.messaging.voice).
    call_digit = models.CharField(_("key pressed"), max_length=2, blank=True)
    fallback = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("text message if the call fails"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} → {self.member or self.user}"


class OutboxMessage(models.Model):
    """A text message the demo "outbox" provider kept instead of sending, readable on the staff outbox page."""

    notification = models.ForeignKey(Notification, models.CASCADE, null=True, blank=True, related_name="+")
    phone = models.CharField(_("phone"), max_length=40)
    sign_name = models.CharField(_("sign name"), max_length=40)
    template = models.CharField(_("template"), max_length=40)
    params = models.JSONField(_("parameters"), default=list)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.phone}: {self.text[:40]}"


class SmsReplySeen(models.Model):
    """A text-message reply (上行短信) already taken, by the provider's id of the reply: a signed reply sent again,
    by the provider's retry or by someone who captured it, is refused. Kept a day; replies older than
    SMS_CALLBACK_MAX_AGE_SECONDS are refused by their signed timestamp anyway."""

    provider_message_id = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("text-message reply taken")
        verbose_name_plural = _("text-message replies taken")

    def __str__(self):
        return self.provider_message_id


class MemberNotice(models.Model):
    """A notice in the app on My shifts: something waiting for the member. Read once opened."""

    class Kind(models.TextChoices):
        SWAP_REQUEST = "swap_request", _("Swap request")
        SHIFT_CHANGE = "shift_change", _("Change to your shifts")
        CONFIRM = "confirm", _("Please confirm your shifts")

    member = models.ForeignKey(Member, models.CASCADE, related_name="notices", verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=200)  # as first written; shown only when params cannot be read
    # What the text is made of (requester's name, swap, week), so it is worded in the reader's language when read.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("opens"), max_length=200)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["member", "read_at"])]

    def __str__(self):
        return f"{self.member}: {self.text}"


class WeekConfirmation(models.Model):
    """A member's answer to "will you come to your shifts this week?" for one community-week after a publish.

    A new published version that changes the member's shifts asks again. The link in the text message carries a
    signed, single-use token; only its hash is kept."""

    class State(models.TextChoices):
        PENDING = "pending", _("Not answered")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Can't come")

    class Via(models.TextChoices):
        APP = "app", _("In the app")
        LINK = "link", _("Link in a text message")
        SMS = "sms", _("Text message reply")
        PROXY = "proxy", _("A relative, for the member")
        VOICE = "voice", _("Key press on a voice call")

    member = models.ForeignKey(Member, models.CASCADE, related_name="confirmations", verbose_name=_("member"))
    community = models.ForeignKey(Community, models.CASCADE, related_name="+", verbose_name=_("community"))
    week_start = models.DateField(_("week"))
    roster_version = models.PositiveIntegerField(_("roster version"), default=1)
    first_start = models.DateTimeField(_("first shift starts"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    via = models.CharField(_("answered through"), max_length=8, choices=Via.choices, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shift confirmation")
        verbose_name_plural = _("shift confirmations")
        ordering = ["first_start", "member"]
        constraints = [models.UniqueConstraint(fields=["member", "community", "week_start"],
                                               name="one_confirmation_per_member_week")]
        indexes = [models.Index(fields=["state", "first_start"])]

    def __str__(self):
        return f"{self.member} {self.week_start} {self.state}"


class MessageJob(models.Model):
    """Messages that must go out because something happened (a swap was accepted, a roster published),
    recorded in the same transaction as the event. The queue task marks it done; while it is not, the periodic
    catch-up (shifts.messaging.jobs) sends it, so a broker that is down when the event commits delays
    the messages instead of losing them. Sending twice is harmless: every Notification has a dedupe key."""

    key = models.CharField(max_length=200, unique=True)
    task = models.CharField(max_length=100)  # a function in shifts.tasks
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["done_at", "created_at"], name="message_job_pending_idx")]

    def __str__(self):
        return self.key
