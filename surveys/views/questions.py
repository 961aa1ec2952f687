"""A survey's questions, while it is a draft: adding, editing, moving and
deleting them. Each answers htmx with the questions' panel, and a plain
form post with the survey page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import HtmxHttpRequest
from surveys import selectors, services
from surveys.exceptions import SurveyError
from surveys.forms import QuestionForm
from surveys.models import Question, Survey
from surveys.views.manage import IN_QUESTIONS, _detail_render


@login_required
@require_POST
def question_add(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id, manage=True)
    form = QuestionForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            services.question_add(survey=survey, **form.question())
        except SurveyError as error:
            errors.append(str(error))
        else:
            return _questions_changed(request, survey)
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    return _detail_render(
        request,
        survey,
        question_form=form,
        errors=errors,
        partial="questions" if request.htmx else "",
        status=409 if errors else 422,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(
    request: HtmxHttpRequest, survey_id: int, question_id: int
) -> HttpResponse:
    """A question of a draft, changed on a page of its own; back on the
    survey page, the confirmation shows in the questions' panel."""
    survey = selectors.survey_get(user=request.user, survey_id=survey_id, manage=True)
    question = get_object_or_404(Question, survey=survey, pk=question_id)
    if not survey.is_draft:
        refusal = _("The questions cannot change once the survey has been opened.")
        return _questions_refused(request, survey, SurveyError(refusal))
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        initial=QuestionForm.initial_for(question),
    )
    if form.is_valid():
        try:
            services.question_update(question=question, **form.question())
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The question is saved."), extra_tags=IN_QUESTIONS
            )
            return redirect(survey.get_absolute_url() + "#questions")
    return render(
        request,
        "surveys/question_edit.html",
        {"survey": survey, "question": question, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def question_move(
    request: HtmxHttpRequest, survey_id: int, question_id: int
) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id, manage=True)
    question = get_object_or_404(Question, survey=survey, pk=question_id)
    try:
        services.question_move(
            question=question, direction=request.POST.get("direction", "")
        )
    except SurveyError as error:
        return _questions_refused(request, survey, error)
    return _questions_changed(request, survey)


@login_required
@require_POST
def question_delete(
    request: HtmxHttpRequest, survey_id: int, question_id: int
) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id, manage=True)
    question = get_object_or_404(Question, survey=survey, pk=question_id)
    try:
        services.question_delete(question=question)
    except SurveyError as error:
        return _questions_refused(request, survey, error)
    return _questions_changed(request, survey)


def _questions_changed(request: HtmxHttpRequest, survey: Survey) -> HttpResponse:
    if not request.htmx:
        return redirect(survey.get_absolute_url() + "#questions")
    survey = selectors.survey_get(user=request.user, survey_id=survey.pk)
    return _detail_render(request, survey, partial="questions")


def _questions_refused(
    request: HtmxHttpRequest, survey: Survey, error: SurveyError
) -> HttpResponse:
    if not request.htmx:
        messages.error(request, str(error))
        return redirect(survey.get_absolute_url() + "#questions")
    survey = selectors.survey_get(user=request.user, survey_id=survey.pk)
    return _detail_render(
        request, survey, errors=[str(error)], partial="questions", status=409
    )
