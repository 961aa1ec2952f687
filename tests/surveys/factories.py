import re

import factory
from django.db.models import F
from django.utils import timezone

from surveys.models import (
    Answer,
    Channel,
    Distribution,
    Invitation,
    Option,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
    token_new,
)
from tests.accounts.factories import UserFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    owner = factory.SubFactory(UserFactory)
    organization = None
    title = factory.Sequence(lambda n: f"Survey {n}")
    status = SurveyStatus.DRAFT

    class Params:
        open = factory.Trait(
            status=SurveyStatus.OPEN, opened_at=factory.LazyFunction(timezone.now)
        )
        closed = factory.Trait(
            status=SurveyStatus.CLOSED,
            opened_at=factory.LazyFunction(timezone.now),
            closed_at=factory.LazyFunction(timezone.now),
        )


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    kind = QuestionKind.TEXT
    text = factory.Faker("sentence", nb_words=5)
    required = True
    position = factory.Sequence(lambda n: n)


def questions_add(survey: Survey) -> dict[str, Question]:
    """A single-choice, a rating and an optional free-text question."""
    choice = QuestionFactory(
        survey=survey, kind=QuestionKind.CHOICE, text="Would you come back?"
    )
    for position, label in enumerate(["Yes", "No", "Maybe"]):
        Option.objects.create(question=choice, label=label, position=position)
    rating = QuestionFactory(
        survey=survey, kind=QuestionKind.RATING, text="How was the welcome?"
    )
    text = QuestionFactory(
        survey=survey,
        kind=QuestionKind.TEXT,
        text="Anything to add?",
        required=False,
    )
    Survey.objects.filter(pk=survey.pk).update(revision=F("revision") + 1)
    survey.refresh_from_db(fields=["revision"])
    return {"choice": choice, "rating": rating, "text": text}


def link_add(survey: Survey) -> Distribution:
    return Distribution.objects.create(
        survey=survey, channel=Channel.LINK, token=token_new()
    )


def invitation_add(survey: Survey, email: str = "respondent@example.test"):
    distribution = Distribution.objects.create(survey=survey, channel=Channel.EMAIL)
    return Invitation.objects.create(
        survey=survey, distribution=distribution, email=email
    )


def responses_add(survey: Survey, count: int, *, answers: bool = True) -> None:
    """`count` link responses, in bulk, answering each question the same
    way (the first option, a 4, "Fine"), and the counter to match."""
    now = timezone.now()
    responses = Response.objects.bulk_create(
        Response(survey=survey, channel=Channel.LINK, submitted_at=now)
        for _ in range(count)
    )
    if answers:
        rows = []
        for question in survey.questions.prefetch_related("options"):
            for response in responses:
                answer = Answer(response=response, question=question)
                if question.kind == QuestionKind.CHOICE:
                    answer.option = question.options.all()[0]
                elif question.kind == QuestionKind.RATING:
                    answer.rating = 4
                else:
                    answer.text = "Fine"
                rows.append(answer)
        Answer.objects.bulk_create(rows)
    Survey.objects.filter(pk=survey.pk).update(
        response_count=F("response_count") + count
    )
    survey.refresh_from_db(fields=["response_count"])


def form_token(page) -> str:
    """The signed token in a served response form, as a browser sends it
    back. Read from the page: the blank form is served from a cache, with no
    template context."""
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
