from django_tasks_db.management.commands import db_worker

from lifecycle.tasks import lifecycle_tick_schedule


class Command(db_worker.Command):
    """django-tasks-db's worker, which also makes sure the lifecycle tick is
    queued when it starts (unless it only drains the queue, `--batch`), so
    that the sweeps run on schedule from the first worker on."""

    help = db_worker.Command.help + ", and the periodic sweeps (lifecycle)"

    def handle(self, *, batch: bool, backend_name: str, **options):
        if not batch:
            lifecycle_tick_schedule(backend=backend_name)
        super().handle(batch=batch, backend_name=backend_name, **options)
