"""Sending a survey: its public link, and invitations by email (each a task
that records whether its email left), within a daily cap per person."""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from surveys import tasks
from surveys.exceptions import (
    SurveyError,
)
from surveys.models import (
    Channel,
    Distribution,
    Invitation,
    Survey,
    token_new,
)
from surveys.services._common import _ensure_open, _lock

INVITATIONS_PER_BATCH = 500
# Invitation emails one person may send in 24 hours (all their surveys);
# SURVEYS_INVITATIONS_PER_DAY changes it.
INVITATIONS_PER_DAY = 2000


@transaction.atomic
def link_create(*, survey: Survey, actor: User) -> Distribution:
    """The survey's public link, made once; asking again returns it."""
    survey = _lock(survey)
    existing = survey.distributions.filter(channel=Channel.LINK).first()
    if existing is not None:
        return existing
    _ensure_open(survey)
    return Distribution.objects.create(
        survey=survey, channel=Channel.LINK, token=token_new(), created_by=actor
    )


@dataclass(frozen=True)
class InvitationBatch:
    distribution: Distribution | None
    invited: list[Invitation]
    already_invited: list[str]


@transaction.atomic
def invitations_send(
    *, survey: Survey, emails: list[str], actor: User, base_url: str
) -> InvitationBatch:
    """Email a personal link to each new address (one batch: one
    distribution). Addresses already invited to the survey are skipped; each
    link works once. The emails leave after the transaction commits.

    `base_url` is the site's address (scheme and host) for the links."""
    survey = _lock(survey)
    _ensure_open(survey)
    addresses = list(dict.fromkeys(email.strip().lower() for email in emails if email))
    if not addresses:
        raise SurveyError(_("Enter at least one email address."))
    if len(addresses) > INVITATIONS_PER_BATCH:
        raise SurveyError(
            _("Send at most %(count)s invitations at a time.")
            % {"count": INVITATIONS_PER_BATCH}
        )
    invalid = []
    email_field = Invitation._meta.get_field("email")
    for address in addresses:
        try:
            # The column's own checks: an address, and one it can hold (an
            # address may have up to 320 characters, the column 254).
            email_field.run_validators(address)
        except ValidationError:
            invalid.append(address)
    if invalid:
        raise SurveyError(
            _("These are not email addresses: %(addresses)s")
            % {"addresses": ", ".join(invalid)}
        )
    known = set(
        survey.invitations.filter(email__in=addresses).values_list("email", flat=True)
    )
    new = [address for address in addresses if address not in known]
    if not new:
        return InvitationBatch(None, [], sorted(known))
    _daily_cap_check(actor=actor, count=len(new))
    distribution = Distribution.objects.create(
        survey=survey, channel=Channel.EMAIL, created_by=actor
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(survey=survey, distribution=distribution, email=address)
        for address in new
    )
    # The subject is one line whatever the title (titles are validated so
    # since, older ones may not be): a mailer refuses a header with a break.
    subject = _("You are invited to answer “%(title)s”") % {
        "title": " ".join(survey.title.split())
    }
    for invitation in invitations:
        body = render_to_string(
            "surveys/email/invitation.txt",
            {
                "survey": survey,
                "sender": actor,
                "url": base_url + invitation.get_absolute_url(),
            },
        )
        transaction.on_commit(
            partial(
                tasks.invitation_email_send.enqueue,
                invitation_id=invitation.pk,
                subject=subject,
                body=body,
            )
        )
    return InvitationBatch(distribution, invitations, sorted(known))


def invitations_per_day() -> int:
    return getattr(settings, "SURVEYS_INVITATIONS_PER_DAY", INVITATIONS_PER_DAY)


def _daily_cap_check(*, actor: User, count: int) -> None:
    """At most `invitations_per_day()` invitation emails per person in any
    24 hours, counted from the database, so that an account cannot be used
    to mail arbitrary addresses at will. The person's row is locked so that
    two of their batches at once are counted one after the other."""
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
    cap = invitations_per_day()
    sent = Invitation.objects.filter(
        distribution__created_by=actor,
        distribution__created_at__gte=timezone.now() - timedelta(days=1),
    ).count()
    if sent + count <= cap:
        return
    left = max(cap - sent, 0)
    values = {"cap": cap, "sent": sent, "left": left}
    if left == 0:
        raise SurveyError(
            _(
                "You can send up to %(cap)s invitations in 24 hours and have "
                "sent them all: try again later."
            )
            % values
        )
    raise SurveyError(
        ngettext(
            "You can send up to %(cap)s invitations in 24 hours. You have sent "
            "%(sent)s, so %(left)s more can go now: invite fewer people, or try "
            "again later.",
            "You can send up to %(cap)s invitations in 24 hours. You have sent "
            "%(sent)s, so %(left)s more can go now: invite fewer people, or try "
            "again later.",
            left,
        )
        % values
    )
