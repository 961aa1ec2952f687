"""The respondent pages: public, anonymous, the hot path."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import HtmxHttpRequest
from surveys import selectors, services, throttle
from surveys.exceptions import (
    FormAlreadySent,
    InvitationUsed,
    SurveyError,
    SurveyNotOpen,
)
from surveys.forms import ResponseForm
from surveys.models import Channel, Invitation, Survey, SurveyStatus
from surveys.tokens import (
    form_token_new,
    form_token_nonce,
    form_token_served_nonce,
)


@require_http_methods(["GET", "POST"])
def respond_link(request: HtmxHttpRequest, token: str) -> HttpResponse:
    survey = selectors.survey_get_for_form(token=token, form_nonce=_nonce(request))
    if survey is None:
        return _respond_not_found(request)
    thanks_url = reverse("surveys:respond-link-thanks", kwargs={"token": token})
    return _respond(request, survey=survey, invitation=None, thanks_url=thanks_url)


@require_http_methods(["GET", "POST"])
def respond_invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_get_by_token(
        token=token, form_nonce=_nonce(request)
    )
    if invitation is None:
        return _respond_not_found(request)
    if invitation.used_at is not None:
        return _respond_refused(request, invitation.survey, reason="used")
    thanks_url = reverse("surveys:respond-invitation-thanks", kwargs={"token": token})
    return _respond(
        request, survey=invitation.survey, invitation=invitation, thanks_url=thanks_url
    )


@require_GET
def respond_link_thanks(request: HtmxHttpRequest, token: str) -> HttpResponse:
    survey = selectors.survey_get_by_link(token=token)
    if survey is None:
        return _respond_not_found(request)
    return render(request, "surveys/respond_thanks.html", {"survey": survey})


@require_GET
def respond_invitation_thanks(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_get_by_token(token=token)
    if invitation is None:
        return _respond_not_found(request)
    return render(request, "surveys/respond_thanks.html", {"survey": invitation.survey})


def _nonce(request: HtmxHttpRequest) -> str | None:
    """A submitted form's nonce, looked up with the survey in its one query
    (whether it belongs to that survey is checked once it is found)."""
    if request.method != "POST":
        return None
    return form_token_served_nonce(request.POST.get("form_token", ""))


def _respond(
    request: HtmxHttpRequest,
    *,
    survey: Survey,
    invitation: Invitation | None,
    thanks_url: str,
) -> HttpResponse:
    if request.method == "GET":
        return _respond_form(request, survey=survey, invitation=invitation)
    return _respond_submit(
        request, survey=survey, invitation=invitation, thanks_url=thanks_url
    )


def _accepting(survey: Survey) -> bool:
    """The inactive rule for a new arrival; at the limit, the owner's "more
    responses" is asked for (at most once a minute per survey), which may
    keep the survey active."""
    if selectors.survey_is_accepting(survey=survey):
        return True
    return services.survey_more_responses_request(survey=survey)


def _respond_form(
    request: HtmxHttpRequest, *, survey: Survey, invitation: Invitation | None
) -> HttpResponse:
    if not _accepting(survey):
        reason = "closed" if survey.status == SurveyStatus.CLOSED else "inactive"
        return _respond_refused(request, survey, reason=reason)
    if not throttle.form_token_take(request):
        return _respond_refused(request, survey, reason="limited", status=429)
    form = ResponseForm(
        initial={"form_token": form_token_new(survey, invitation)},
        questions=selectors.questionnaire(survey),
    )
    return _respond_render(request, survey, form)


def _respond_submit(
    request: HtmxHttpRequest,
    *,
    survey: Survey,
    invitation: Invitation | None,
    thanks_url: str,
) -> HttpResponse:
    # A form served while the survey was active is accepted even if the
    # limit has been reached since, once (its nonce is stored with the
    # response): the same form sent again, or one without a valid signature,
    # is a new arrival, and the rule decides.
    nonce = form_token_nonce(request.POST.get("form_token", ""), survey, invitation)
    if not survey.is_open:
        return _respond_refused(request, survey, reason="closed", status=409)
    # The lookup said whether this nonce was spent, in the same query.
    served = nonce is not None and not survey.form_nonce_spent
    if not served and not _accepting(survey):
        return _respond_refused(request, survey, reason="inactive", status=409)
    data = request.POST.copy()
    if not served:
        # Shown again with its errors, the form is one served now.
        if not throttle.form_token_take(request):
            return _respond_refused(request, survey, reason="limited", status=429)
        data["form_token"] = form_token_new(survey, invitation)
    form = ResponseForm(data, questions=selectors.questionnaire(survey))
    if not form.is_valid():
        # A full page in the respondent's browser, not an htmx fragment: a
        # form with its messages is an ordinary page there.
        return _respond_render(request, survey, form)
    if not throttle.response_take(request, survey):
        return _respond_refused(request, survey, reason="limited", status=429)
    return _respond_save(
        request, survey, invitation, form, nonce if served else None, thanks_url
    )


def _respond_save(
    request: HtmxHttpRequest,
    survey: Survey,
    invitation: Invitation | None,
    form: ResponseForm,
    nonce: str | None,
    thanks_url: str,
) -> HttpResponse:
    """Save a valid form's answers; a served form's place is given back."""
    try:
        services.response_submit(
            survey=survey,
            answers=form.answers(),
            channel=Channel.EMAIL if invitation else Channel.LINK,
            invitation=invitation,
            form_nonce=nonce,
        )
    except FormAlreadySent:
        # The same served form sent twice at once: the other copy is kept.
        return redirect(thanks_url)
    except (SurveyNotOpen, InvitationUsed) as error:
        reason = "closed" if isinstance(error, SurveyNotOpen) else "used"
        return _respond_refused(request, survey, reason=reason, status=409)
    except SurveyError as error:
        form.add_error(None, str(error))
        return _respond_render(request, survey, form)
    if nonce is not None:
        throttle.form_token_give_back(request)
    return redirect(thanks_url)


def _respond_render(request, survey, form, status=200):
    return render(
        request,
        "surveys/respond.html",
        {"survey": survey, "form": form},
        status=status,
    )


def _respond_refused(request, survey, *, reason: str, status: int = 200):
    return render(
        request,
        "surveys/respond_inactive.html",
        {"survey": survey, "reason": reason},
        status=status,
    )


def _respond_not_found(request):
    return render(request, "surveys/respond_not_found.html", status=404)
