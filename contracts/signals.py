"""A person deleted (from the admin's Users, or anywhere else) takes their
seats with them by cascade. Those seats are freed first through
`seat_release`, as support would free them, so that the allotments'
counters of seats in use (`Allotment.seats_used`), the history and the
waitlist stay true; the cascade then finds nothing left to delete."""

from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from contracts.models import Seat, SeatSource


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def seats_free_before_user_deleted(sender, instance, **kwargs):
    from contracts.services.seats import seat_release

    seats = Seat.objects.filter(user_id=instance.pk).select_related(
        "contract", "user", "plan"
    )
    for seat in seats.order_by("pk"):
        # No email to a person being deleted.
        seat_release(seat=seat, actor=None, source=SeatSource.SUPPORT, notify=False)
