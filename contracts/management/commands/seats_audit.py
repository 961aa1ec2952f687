from django.core.management.base import BaseCommand, CommandError

from contracts.services.seat_counter import seats_audit


class Command(BaseCommand):
    help = (
        "Compare each allotment's counter of seats in use with its seats "
        "counted; exit 1 when any differs. --fix repairs them, each under "
        "its allotment's lock."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Set the drifted counters right."
        )

    def handle(self, *args, fix, **options):
        drifts = seats_audit(fix=fix)
        for drift in drifts:
            allotment = drift.allotment
            self.stdout.write(
                f"allotment {allotment.pk} ({allotment.contract.reference}, "
                f"{allotment.plan.code}): counted {drift.counted}, "
                f"stored {drift.stored}" + (" — fixed" if fix else "")
            )
        if not drifts:
            self.stdout.write("No drift: every counter equals its seats.")
        elif not fix:
            raise CommandError(f"{len(drifts)} allotment(s) drifted.", returncode=1)
