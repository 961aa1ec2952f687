"""Reads of a survey's results: the per-question report (real or simulated)
and the response data, row by row."""

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain

from django.db.models import (
    Count,
    F,
    Prefetch,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.exports import spreadsheet_safe
from surveys.models import (
    RATING_VALUES,
    Answer,
    Channel,
    QuestionKind,
    Response,
    Survey,
)
from surveys.selectors.surveys import QuestionItem, questionnaire

REPORT_TEXTS_SHOWN = 10


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int


@dataclass
class QuestionReport:
    question: QuestionItem
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    average: float | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def is_text(self):
        return self.question.kind == QuestionKind.TEXT


def survey_report(*, survey: Survey, simulated: bool) -> list[QuestionReport]:
    """Per-question results: counts and shares of each option or rating, the
    average rating, the latest free-text answers. Simulated reports are made
    up from the questions alone and never read an answer; their numbers of
    answers stay within the real number of responses, shown next to them."""
    items = questionnaire(survey)
    if simulated:
        return [_simulated(item, survey.response_count) for item in items]
    ids = [item.id for item in items]
    counts = defaultdict(dict)
    for row in (
        Answer.objects.filter(question_id__in=ids)
        .values("question_id", "option_id", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = row["option_id"] or row["rating"]
        counts[row["question_id"]][key] = row["n"]
    texts = defaultdict(list)
    text_ids = [item.id for item in items if item.kind == QuestionKind.TEXT]
    if text_ids:
        latest = (
            Answer.objects.filter(question_id__in=text_ids)
            .exclude(text="")
            .annotate(
                rank=Window(
                    RowNumber(), partition_by=F("question_id"), order_by=F("pk").desc()
                )
            )
            .filter(rank__lte=REPORT_TEXTS_SHOWN)
            .order_by("question_id", "-pk")
            .values_list("question_id", "text")
        )
        for question_id, text in latest:
            texts[question_id].append(text)
    return [_report(item, counts[item.id], texts[item.id]) for item in items]


def _report(item: QuestionItem, counts: dict, texts: list[str]) -> QuestionReport:
    if item.kind == QuestionKind.TEXT:
        return QuestionReport(item, answered=counts.get(None, 0), texts=texts)
    if item.kind == QuestionKind.RATING:
        labels = [(value, str(value)) for value in RATING_VALUES]
    else:
        labels = list(item.options)
    answered = sum(counts.get(key, 0) for key, _label in labels)
    report = QuestionReport(item, answered=answered)
    report.bars = [
        Bar(label, counts.get(key, 0), _percent(counts.get(key, 0), answered))
        for key, label in labels
    ]
    if item.kind == QuestionKind.RATING and answered:
        total = sum(value * counts.get(value, 0) for value in RATING_VALUES)
        report.average = round(total / answered, 1)
    return report


SIMULATED_TEXTS = [
    gettext_lazy("Sample answer: clear and quick to fill in."),
    gettext_lazy("Sample answer: I would like more options."),
    gettext_lazy("Sample answer: nothing to add."),
    gettext_lazy("Sample answer: very useful, thank you."),
    gettext_lazy("Sample answer: some questions were unclear."),
]


def _simulated(item: QuestionItem, respondents: int) -> QuestionReport:
    """Made-up answers of the survey's real number of respondents, so that
    no question shows more answers than the survey has responses."""
    # Seeded by the question itself: the same report every time, and
    # nothing in it comes from a respondent.
    rng = random.Random(f"{item.id}:{item.kind}:{item.text}")  # noqa: S311
    if item.kind == QuestionKind.TEXT:
        texts = [str(text) for text in SIMULATED_TEXTS]
        rng.shuffle(texts)
        answered = rng.randint(respondents // 2, respondents)
        return QuestionReport(item, answered=answered, texts=texts[:answered])
    if item.kind == QuestionKind.RATING:
        keys = list(RATING_VALUES)
    else:
        keys = [key for key, _label in item.options]
    if not keys:
        return QuestionReport(item)
    weights = [rng.randint(1, 10) for _key in keys]
    counts = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights=weights, k=respondents):
        counts[key] += 1
    return _report(item, counts, [])


def _percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


# Response data


def response_rows(*, survey: Survey) -> Iterator[list]:
    """The header, then one row per response, read in chunks so that the
    download streams whatever the number of responses.

    The words are translated now, in the request's language: the rows are
    read later, while the response streams."""
    items = questionnaire(survey)
    header = [
        _("Response"),
        _("Submitted at"),
        _("Channel"),
        *(spreadsheet_safe(item.text) for item in items),
    ]
    channels = {value: str(label) for value, label in Channel.choices}
    return chain([header], _response_rows(survey, items, channels))


def _response_rows(survey, items, channels) -> Iterator[list]:
    option_labels = {key: label for item in items for key, label in item.options}
    responses = (
        Response.objects.filter(survey_id=survey.pk)
        .order_by("pk")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.only(
                    "response_id", "question_id", "text", "option_id", "rating"
                ),
            )
        )
    )
    for response in responses.iterator(chunk_size=500):
        answers = {answer.question_id: answer for answer in response.answers.all()}
        row = [
            response.pk,
            timezone.localtime(response.submitted_at).isoformat(timespec="seconds"),
            channels.get(response.channel, response.channel),
        ]
        for item in items:
            answer = answers.get(item.id)
            if answer is None:
                row.append("")
            elif answer.option_id is not None:
                row.append(spreadsheet_safe(option_labels.get(answer.option_id, "")))
            elif answer.rating is not None:
                row.append(answer.rating)
            else:
                row.append(spreadsheet_safe(answer.text))
        yield row
