"""What calendar feeds remember between renders.

A feed is rendered from published assignments, but calendar clients also need to learn about things that are
no longer there: a member taken off a shift, a deleted shift. And SEQUENCE must rise on every change a member
would notice, whoever made it. These three small tables hold just enough for that.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shifts.models.duties import Duty
from volunteers.models import Community, Member


class FeedShiftState(models.Model):
    """The staffing and details of a shift as feeds last knew them.

    `revision` is the lowest SEQUENCE feeds show for the shift from now on: raised above both its previous value
    and Shift.sequence on every change seen, so SEQUENCE rises even when an editor forgot to raise Shift.sequence.
    """

    # A plain id, not a foreign key: the state must outlive a deleted shift long enough to cancel it.
    shift_id = models.BigIntegerField(unique=True)
    member_ids = models.JSONField(default=list)
    fingerprint = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("feed state of a shift")
        verbose_name_plural = _("feed states of shifts")

    def __str__(self):
        return f"shift {self.shift_id} r{self.revision}"


class FeedTombstone(models.Model):
    """A shift removed from a feed, shown as cancelled for a grace period so clients strike it through.

    member is set for a member taken off a shift (their personal feed); it is empty for a deleted shift in the
    community and duty feeds. The event's own text is copied, since the shift may be gone.
    """

    member = models.ForeignKey(Member, models.CASCADE, null=True, blank=True, related_name="+")
    community = models.ForeignKey(Community, models.CASCADE, related_name="+")
    duty = models.ForeignKey(Duty, models.CASCADE, related_name="+")
    shift_id = models.BigIntegerField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    summary = models.CharField(max_length=200)
    sequence = models.PositiveIntegerField()
    removed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("removed calendar event")
        verbose_name_plural = _("removed calendar events")
        indexes = [models.Index(fields=["member", "removed_at"]), models.Index(fields=["community", "removed_at"]),
                   models.Index(fields=["shift_id"])]

    def __str__(self):
        return f"shift {self.shift_id} removed {self.removed_at:%Y-%m-%d %H:%M}"


class FeedCounter(models.Model):
    """A generation number per feed scope ("m:<member>", "c:<community>"), raised when its content changes.

    Kept in the database rather than the cache so that every web process and queue worker agrees on it,
    whatever the cache backend; rendered feeds are cached under it.
    """

    scope = models.CharField(max_length=40, unique=True)
    value = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("feed counter")
        verbose_name_plural = _("feed counters")

    def __str__(self):
        return f"{self.scope}={self.value}"
