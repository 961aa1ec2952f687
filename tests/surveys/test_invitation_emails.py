"""A survey title with a line break never silently drops invitation emails:
titles are one line, and each invitation email is retried, then recorded as
failed and shown on the survey page, never recorded as sent."""

import smtplib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from surveys.models import Distribution, EmailStatus, Invitation, Survey
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def _send(client, survey, emails, capture):
    with capture(execute=True):
        return client.post(
            reverse("surveys:invitations-send", args=[survey.pk]),
            {"emails": emails},
        )


class TestOneLineTitles:
    @pytest.mark.parametrize("title", ["Two\nlines", "Two\rlines", "Two\u2028lines"])
    def test_a_title_with_a_line_break_is_refused(self, user_client, owner, title):
        response = user_client(owner).post(
            reverse("surveys:survey-create"), {"title": title, "place": ""}
        )
        assert response.status_code == 422
        assert "Write it on one line." in response.text
        assert not Survey.objects.filter(owner=owner).exists()

    def test_the_model_refuses_it_too(self, survey):
        survey.title = "Two\nlines"
        with pytest.raises(ValidationError):
            survey.full_clean()


class TestInvitationEmails:
    def test_an_older_title_with_a_line_break_still_gets_its_emails_out(
        self,
        user_client,
        owner,
        survey,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        Survey.objects.filter(pk=survey.pk).update(title="Staff\nsurvey")
        _send(
            user_client(owner),
            survey,
            "a@example.test",
            django_capture_on_commit_callbacks,
        )
        assert [m.subject for m in mailoutbox] == [
            "You are invited to answer “Staff survey”"
        ]
        assert Invitation.objects.get().email_status == EmailStatus.SENT

    def test_a_failing_mailer_is_retried_then_shown_as_failed(
        self,
        user_client,
        owner,
        survey,
        mailoutbox,
        monkeypatch,
        django_capture_on_commit_callbacks,
    ):
        attempts = []

        def refuse(message, *args, **kwargs):
            attempts.append(message.to)
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

        monkeypatch.setattr(EmailMessage, "send", refuse)
        client = user_client(owner)
        response = _send(
            client,
            survey,
            "a@example.test, b@example.test",
            django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302
        assert len(attempts) == 10  # each address: five attempts (EMAIL_ATTEMPTS)
        invitations = Invitation.objects.order_by("email")
        assert [i.email_status for i in invitations] == [EmailStatus.FAILED] * 2
        assert all(i.email_sent_at is None and i.email_failed_at for i in invitations)
        page = client.get(survey.get_absolute_url())
        assert "By email: 0 invitations sent, 0 answered." in page.text
        assert "2 invitations could not be sent" in page.text
        assert "a@example.test, b@example.test" in page.text

    def test_a_mailer_failing_once_is_retried_and_sent(
        self,
        user_client,
        owner,
        survey,
        mailoutbox,
        monkeypatch,
        django_capture_on_commit_callbacks,
    ):
        send = EmailMessage.send
        failures = iter([True])

        def flaky(message, *args, **kwargs):
            if next(failures, False):
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            return send(message, *args, **kwargs)

        monkeypatch.setattr(EmailMessage, "send", flaky)
        client = user_client(owner)
        _send(client, survey, "a@example.test", django_capture_on_commit_callbacks)
        assert len(mailoutbox) == 1
        invitation = Invitation.objects.get()
        assert invitation.email_status == EmailStatus.SENT
        assert invitation.email_sent_at is not None
        page = client.get(survey.get_absolute_url())
        assert "By email: 1 invitation sent, 0 answered." in page.text
        assert "could not be sent" not in page.text


class TestDailyCap:
    """Invitation emails per person in any 24 hours, counted from the
    database (default 2,000)."""

    def test_the_default_cap_is_2000(self):
        from surveys import services

        assert services.invitations_per_day() == 2000

    def test_a_batch_over_the_cap_is_refused_with_a_clear_message(
        self,
        user_client,
        owner,
        survey,
        organization,
        settings,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        settings.SURVEYS_INVITATIONS_PER_DAY = 3
        client = user_client(owner)
        capture = django_capture_on_commit_callbacks
        _send(client, survey, "a@example.test, b@example.test", capture)
        other = SurveyFactory(owner=owner, organization=organization, open=True)
        refused = _send(client, other, "c@example.test, d@example.test", capture)
        assert refused.status_code == 422
        assert (
            "You can send up to 3 invitations in 24 hours. You have sent 2, so 1 "
            "more can go now" in refused.text
        )
        assert not other.invitations.exists()
        assert _send(client, other, "c@example.test", capture).status_code == 302
        assert len(mailoutbox) == 3
        # Another person has their own allowance.
        admin = MembershipFactory(organization=organization, administrator=True).user
        assert (
            _send(user_client(admin), other, "e@example.test", capture).status_code
            == 302
        )

    def test_invitations_older_than_a_day_no_longer_count(
        self,
        user_client,
        owner,
        survey,
        settings,
        django_capture_on_commit_callbacks,
    ):
        settings.SURVEYS_INVITATIONS_PER_DAY = 2
        client = user_client(owner)
        capture = django_capture_on_commit_callbacks
        _send(client, survey, "a@example.test, b@example.test", capture)
        assert _send(client, survey, "c@example.test", capture).status_code == 422
        Distribution.objects.update(created_at=timezone.now() - timedelta(hours=25))
        assert _send(client, survey, "c@example.test", capture).status_code == 302

    def test_a_person_who_sent_them_all_is_told_to_try_later(
        self, user_client, owner, survey, settings, django_capture_on_commit_callbacks
    ):
        """Not "0 more can go now": the whole allowance is used."""
        settings.SURVEYS_INVITATIONS_PER_DAY = 1
        client = user_client(owner)
        capture = django_capture_on_commit_callbacks
        sent = _send(client, survey, "a@example.test", capture)
        assert sent.status_code == 302
        page = client.get(sent["Location"])
        assert "1 invitation is on its way." in page.text
        refused = _send(client, survey, "b@example.test", capture)
        assert refused.status_code == 422
        assert "have sent them all: try again later." in refused.text
        assert "0 more" not in refused.text
