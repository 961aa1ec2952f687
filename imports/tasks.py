from django.tasks import task

from imports.services import member_import_run


@task
def member_import_run_task(*, import_id: int) -> None:
    """Run a confirmed CSV import of members (see `member_import_run`)."""
    member_import_run(import_id=import_id)
