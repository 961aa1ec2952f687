"""Every email is a task queued after commit and worked by the database
queue: a request never waits for the mailer nor fails because of it; a
failing mailer is tried again later (30 s, then twice as long each time),
up to 5 attempts, and a task that keeps failing is listed as failed in the
admin."""

import smtplib
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from surveys.models import EmailStatus, Invitation
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"


@pytest.fixture
def refusals(monkeypatch):
    """The mailer refuses the next `refusals[0]` messages (all by default)."""
    left = [10**6]
    send = EmailMessage.send

    def flaky(message, *args, **kwargs):
        if left[0] > 0:
            left[0] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    return left


@pytest.fixture
def owner(organization):
    return MembershipFactory(organization=organization).user


@pytest.fixture
def survey(owner, organization):
    return SurveyFactory(owner=owner, organization=organization, open=True)


def _ask_reset(client, capture):
    with capture(execute=True):
        return client.post(RESET, {"email": "ann@example.test"})


def test_the_request_only_queues_the_email_and_the_worker_sends_it(
    client, db_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="ann@example.test")
    response = _ask_reset(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mailoutbox == []
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "accounts.tasks.password_reset_email_send"
    # The reset task finds the account and queues its email, then that runs.
    assert db_tasks.run() == 2
    assert [m.to for m in mailoutbox] == [["ann@example.test"]]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


def test_a_failing_mailer_is_retried_later_with_backoff_then_sends(
    client,
    db_tasks,
    mailoutbox,
    refusals,
    time_machine,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(timezone.now(), tick=False)
    refusals[0] = 2
    UserFactory(email="ann@example.test")
    response = _ask_reset(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302  # the mailer's failure is not the page's
    assert db_tasks.run() == 2  # the reset task, then the email's first attempt
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after == timezone.now() + timedelta(seconds=30)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert db_tasks.run() == 0  # not due yet
    time_machine.shift(30)
    assert db_tasks.run() == 1
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after == timezone.now() + timedelta(seconds=60)
    time_machine.shift(60)
    assert db_tasks.run() == 1
    assert [m.to for m in mailoutbox] == [["ann@example.test"]]
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert not DBTaskResult.objects.failed().exists()


def test_an_email_that_keeps_failing_is_listed_as_failed_in_the_admin(
    client, db_tasks, refusals, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    UserFactory(email="ann@example.test")
    _ask_reset(client, django_capture_on_commit_callbacks)
    assert db_tasks.run() == 2
    for wait in (30, 60, 120, 240):
        time_machine.shift(wait)
        assert db_tasks.run() == 1
    time_machine.shift(3600)
    assert db_tasks.run() == 0  # five attempts, no sixth
    failed = DBTaskResult.objects.failed().get()
    assert failed.args_kwargs["kwargs"]["attempt"] == 5
    assert "SMTPServerDisconnected" in failed.traceback
    assert DBTaskResult.objects.count() == 6  # the reset task, five attempts

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    page = client.get(changelist, {"status__exact": "FAILED"})
    assert page.status_code == 200
    assert "email_send" in page.text
    assert "1 Task Result" in page.text
    detail = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed.pk])
    )
    assert "SMTPServerDisconnected" in detail.text


def test_an_invitation_stays_being_sent_while_retried_then_is_sent(
    user_client,
    db_tasks,
    mailoutbox,
    refusals,
    time_machine,
    owner,
    survey,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(timezone.now(), tick=False)
    refusals[0] = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client(owner).post(
            reverse("surveys:invitations-send", args=[survey.pk]),
            {"emails": "a@example.test"},
        )
    assert response.status_code == 302
    assert db_tasks.run() == 1
    assert Invitation.objects.get().email_status == EmailStatus.PENDING
    time_machine.shift(30)
    assert db_tasks.run() == 1
    invitation = Invitation.objects.get()
    assert invitation.email_status == EmailStatus.SENT
    assert invitation.email_failed_at is None
    assert [m.to for m in mailoutbox] == [["a@example.test"]]


def test_an_invitation_is_failed_only_after_the_last_attempt(
    user_client,
    db_tasks,
    refusals,
    time_machine,
    owner,
    survey,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        user_client(owner).post(
            reverse("surveys:invitations-send", args=[survey.pk]),
            {"emails": "a@example.test"},
        )
    for wait in (0, 30, 60, 120):
        time_machine.shift(wait)
        db_tasks.run()
        assert Invitation.objects.get().email_status == EmailStatus.PENDING
    time_machine.shift(240)
    db_tasks.run()
    assert Invitation.objects.get().email_status == EmailStatus.FAILED
    assert DBTaskResult.objects.failed().count() == 1
