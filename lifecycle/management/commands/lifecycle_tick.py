from django.core.management.base import BaseCommand
from django.utils import timezone

from lifecycle.services import sweeps_run


class Command(BaseCommand):
    help = (
        "Run every sweep of LIFECYCLE_SWEEPS not yet run in the current period "
        "(LIFECYCLE_TICK_SECONDS), once, and print what each did: for cron, "
        "and for tests. The worker does the same on its own schedule."
    )

    def handle(self, **options):
        for outcome in sweeps_run(now=timezone.now()):
            if outcome.error:
                line = self.style.ERROR(f"{outcome.sweep}: failed")
            elif outcome.done is None:
                line = f"{outcome.sweep}: already run in this period"
            else:
                line = f"{outcome.sweep}: {outcome.done} done"
            self.stdout.write(line)
