from django.db import models
from django.utils.translation import gettext_lazy as _


class SweepRun(models.Model):
    """One sweep's run in one period of the schedule. The row is written
    before the sweep runs: a second worker, or cron, trying the same period
    meets the unique key and leaves it alone, so that a sweep never runs
    twice at once nor twice in a period."""

    sweep = models.CharField(_("sweep"), max_length=200)
    slot = models.DateTimeField(_("period"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    done = models.PositiveIntegerField(_("things done"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["-slot", "sweep"]
        constraints = [
            models.UniqueConstraint(
                fields=["sweep", "slot"], name="lifecycle_sweeprun_once_per_slot"
            ),
        ]

    def __str__(self):
        return f"{self.sweep} ({self.slot:%Y-%m-%d %H:%M:%S})"
