"""A respondent's answers, and the owner's "more responses" when a survey
reaches its limit."""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.entitlements import FeatureUse, feature_ask_due, feature_use
from contracts.exceptions import ContractError
from plans.models import Feature
from surveys import selectors
from surveys.exceptions import (
    FormAlreadySent,
    InvitationUsed,
    SurveyError,
    SurveyNotOpen,
)
from surveys.models import (
    RATING_VALUES,
    Answer,
    Invitation,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)


def response_submit(
    *,
    survey: Survey,
    answers: dict[int, object],
    channel: str,
    invitation: Invitation | None = None,
    form_nonce: str | None = None,
) -> Response:
    """Save a respondent's answers: one transaction that writes the response,
    bumps the survey's counter (+ 1 in the database, so concurrent submits
    never lose a count, returning the new count: no re-read), marks the
    invitation used, and writes the answers in one insert.

    The plan limit is not checked here: it decides who is served the form,
    and a form served while the survey was active is always kept. A survey
    closed since, or a personal link used since, refuses cleanly.

    `answers` maps question ids to the cleaned value: text, an option id, or
    a rating. When the counter reaches the owner's limit, the owner uses the
    "more responses" feature, which may give them a plan on the spot; that
    happens after the response is safely committed, so that nothing about
    plans can cost a respondent their answers.
    """
    rows = _answers(survey, answers)
    now = timezone.now()
    inserted = False
    try:
        with transaction.atomic():
            # The response first: a served form sent twice, or a personal
            # link used twice at once, fails here on a unique column, and the
            # whole transaction is rolled back (no savepoint of its own).
            response = Response.objects.create(
                survey=survey,
                channel=channel,
                invitation=invitation,
                submitted_at=now,
                form_nonce=form_nonce,
            )
            inserted = True
            count = _count_bump(survey)
            if count is None:
                raise SurveyNotOpen(
                    _("This survey is closed: it accepts no more answers.")
                )
            if invitation is not None:
                claimed = Invitation.objects.filter(
                    pk=invitation.pk, survey=survey, used_at__isnull=True
                ).update(used_at=now)
                if not claimed:
                    raise InvitationUsed(
                        _("This personal link has already been used to answer.")
                    )
            for answer in rows:
                answer.response = response
            Answer.objects.bulk_create(rows)
    except IntegrityError:
        if inserted:
            raise
        # A personal link's form is that link's: used once, whichever copy.
        if invitation is not None:
            raise InvitationUsed(
                _("This personal link has already been used to answer.")
            ) from None
        if (
            form_nonce is not None
            and Response.objects.filter(form_nonce=form_nonce).exists()
        ):
            raise FormAlreadySent(_("These answers have already been sent.")) from None
        raise
    limit = getattr(survey, "owner_response_limit", None)
    if limit is not None and count == limit:
        survey_limit_reached(survey=survey)
    return response


def _count_bump(survey: Survey) -> int | None:
    """One more response on the survey's counter if it is open (+ 1 in
    the database, so that concurrent submits never lose a count), and the
    count after it, in one statement; None when the survey is not open."""
    table = Survey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "response_count" = "response_count" + 1'  # noqa: S608 (the model's own table)
            ' WHERE "id" = %s AND "status" = %s RETURNING "response_count"',
            [survey.pk, SurveyStatus.OPEN],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def survey_more_responses_request(*, survey: Survey) -> bool:
    """For an open survey at its owner's limit: the owner uses "more
    responses", which may assign them a plan that keeps the survey active.
    That is tried at most once a minute per survey (`feature_ask_due`), so
    that a busy inactive link does not ask on every visit, and again at once
    when a seat may have become available. Returns whether the survey accepts
    responses afterwards; the read alone is `selectors.survey_is_accepting`.
    Needs the annotations of `Survey.objects.with_owner_plan()`."""
    if not survey.is_open:
        return False
    if not feature_ask_due(
        user_id=survey.owner_id,
        feature=Feature.MORE_RESPONSES,
        scope=f"survey:{survey.pk}",
    ):
        return False
    use = survey_limit_reached(survey=survey)
    return (
        use is not None
        and use.allowed
        and use.plan.accepts_responses(survey.response_count)
    )


def survey_limit_reached(*, survey: Survey) -> FeatureUse | None:
    """The owner uses "more responses than the Free limit" for a survey at its
    limit: with automatic assignment on and a seat free they get a plan that
    includes it. Returns the use, or None when it could not be decided now
    (a concurrent change of the same seat: the next visitor asks again)."""
    try:
        return feature_use(user=survey.owner, feature=Feature.MORE_RESPONSES)
    except ContractError:
        return None


def _answers(survey: Survey, answers: dict[int, object]) -> list[Answer]:
    """The answers to save, checked against the survey's questions (the
    form checked them already; the service does not rely on it)."""
    questions = {item.id: item for item in selectors.questionnaire(survey)}
    rows = []
    for question_id, value in answers.items():
        item = questions.get(question_id)
        if item is None or value in (None, ""):
            continue
        answer = Answer(question_id=item.id)
        if item.kind == QuestionKind.TEXT:
            answer.text = str(value)
        elif item.kind == QuestionKind.RATING:
            if int(value) not in RATING_VALUES:
                raise SurveyError(_("A rating is between 1 and 5."))
            answer.rating = int(value)
        else:
            if int(value) not in dict(item.options):
                raise SurveyError(_("This option is not one of the question’s."))
            answer.option_id = int(value)
        rows.append(answer)
    return rows
