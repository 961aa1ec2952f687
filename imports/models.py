from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization


class ImportStatus(models.TextChoices):
    CHECKED = "checked", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LineOutcome(models.TextChoices):
    NEW = "new", _("New member")
    UPDATED = "updated", _("Updated")
    UNCHANGED = "unchanged", _("Unchanged")
    ERROR = "error", _("Error")


class MemberImport(models.Model):
    """A CSV file of members an administrator uploaded: checked first (the
    dry run, kept in `dry_run`), then run by a background task once confirmed.

    The file's text is kept in the database (about 5 MB for 100,000 lines):
    it works the same on the quick start's SQLite and on PostgreSQL, needs no
    shared folder between the web server and the worker, and goes with the
    organization when it is deleted."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="member_imports",
        verbose_name=_("organization"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.TextField(_("content"))
    # The site's address for the invitation emails' links, taken from the
    # upload's request (the task has no request).
    base_url = models.CharField(_("site address"), max_length=200)
    send_invitations = models.BooleanField(_("send invitations"), default=True)
    # The uploader's language: the task writes the report's messages and
    # the invitations in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus, default=ImportStatus.CHECKED
    )
    # The dry run: counts, first errors, seats needed against seats left.
    dry_run = models.JSONField(_("dry run"), default=dict)
    total_lines = models.PositiveIntegerField(_("lines"), default=0)
    done_lines = models.PositiveIntegerField(_("lines done"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name or self.pk} ({self.organization})"

    def get_absolute_url(self):
        return reverse(
            "imports:import-detail",
            kwargs={"organization_id": self.organization_id, "import_id": self.pk},
        )

    @property
    def is_finished(self):
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def percent(self):
        if not self.total_lines:
            return 100 if self.is_finished else 0
        return self.done_lines * 100 // self.total_lines


class MemberImportLine(models.Model):
    """What became of one line of a run import, for its report."""

    member_import = models.ForeignKey(
        MemberImport,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("import"),
    )
    number = models.PositiveIntegerField(_("line"))
    email = models.CharField(_("email"), max_length=254, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=LineOutcome)
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("import line")
        verbose_name_plural = _("import lines")
        ordering = ["member_import", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["member_import", "number"], name="imports_line_unique"
            ),
        ]

    def __str__(self):
        return f"{self.number}: {self.email} {self.outcome}"
