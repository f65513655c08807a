"""Member imports: one reading of an uploaded sheet by a queue worker, with its progress and result."""


from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .people import Community


class MemberImportJob(models.Model):
    """One reading of an uploaded sheet, done by a queue worker: a preview (nothing written) or the import
    itself. The page polls it for progress; the result is what the preview shows. `sheet` says which import:
    the member list (here) or the attendance book (shifts.delivered.attendance_import), which share the reader,
    the stored upload, the progress page and the check that no job stays running (import_jobs_expire)."""

    class Sheet(models.TextChoices):
        MEMBERS = "members", _("Member list")
        ATTENDANCE = "attendance", _("Attendance book")

    class Kind(models.TextChoices):
        PREVIEW = "preview", _("Check")
        APPLY = "apply", _("Import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Reading")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    community = models.ForeignKey(Community, models.CASCADE, related_name="+", verbose_name=_("community"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+",
                                   verbose_name=_("by"))
    sheet = models.CharField(_("sheet"), max_length=12, choices=Sheet.choices, default=Sheet.MEMBERS)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PREVIEW)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    file_id = models.CharField(max_length=32)
    file_sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=100, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # column index (as text) → field; empty: guess
    expected_fingerprint = models.CharField(max_length=32, blank=True)
    decisions = models.JSONField(default=dict, blank=True)  # same-name rows: row number (text) → "new" or member pk
    rows_read = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # when a worker took it: the timeout counts from here
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.community} {self.sheet} {self.kind} {self.status}"
