import hashlib
import secrets
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import HtmxHttpRequest
from config.exports import csv_streaming_response
from contracts.entitlements import FeatureUse, feature_use
from organizations.selectors import membership_list_for_user
from plans.models import Feature
from surveys import exports, selectors, services
from surveys.exceptions import (
    FormAlreadySent,
    InvitationUsed,
    SurveyError,
    SurveyNotOpen,
)
from surveys.forms import (
    PERSONAL,
    BrandingForm,
    InvitationForm,
    QuestionForm,
    ResponseForm,
    SurveyCreateForm,
)
from surveys.models import Channel, Invitation, Question, Survey, SurveyStatus

SURVEYS_PER_PAGE = 20
# How long a served form stays good for its respondent: the limit decides
# who gets the form, not whose answers are kept.
FORM_TOKEN_MAX_AGE = 7 * 24 * 3600
FORM_TOKEN_SALT = "surveys.response-form"  # noqa: S105 (a namespace, not a secret)
FORM_TOKEN_NONCE_BYTES = 12
# The public link's blank form page is cached whole (see `_respond_blank`),
# with these stand-ins for what differs by visitor (they survive escaping).
RESPOND_PAGE_CACHE_SECONDS = 600
_CSRF_TOKEN_SLOT = "__csrf_token__"  # noqa: S105
_FORM_TOKEN_SLOT = "__form_token__"  # noqa: S105


# The person's own area


@login_required
@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Home: the person's organizations and the surveys they can see, with
    their status and response counts."""
    page = Paginator(
        selectors.survey_list_for_user(user=request.user), SURVEYS_PER_PAGE
    ).get_page(request.GET.get("page"))
    template = "surveys/home.html"
    if request.htmx.target == "survey-list":
        template += "#survey-list"
    return render(
        request,
        template,
        {
            "memberships": membership_list_for_user(user=request.user),
            "page": page,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_create(request: HtmxHttpRequest) -> HttpResponse:
    memberships = list(selectors.organizations_for_new_survey(user=request.user))
    # Bound on every POST, even an empty one, so that it is answered with
    # its errors rather than a blank form.
    form = SurveyCreateForm(
        request.POST if request.method == "POST" else None, memberships=memberships
    )
    if request.method == "POST" and form.is_valid():
        place = form.cleaned_data["place"]
        organization = None
        if place != PERSONAL:
            organization = next(
                m.organization for m in memberships if str(m.organization_id) == place
            )
        try:
            survey = services.survey_create(
                owner=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                organization=organization,
            )
        except SurveyError as error:
            form.add_error("place", str(error))
        else:
            messages.success(
                request, _("The survey has been created. Add its questions.")
            )
            return redirect(survey)
    status = 422 if form.errors else 200
    return render(request, "surveys/survey_create.html", {"form": form}, status=status)


@login_required
@require_GET
def survey_detail(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    return _detail_render(request, survey)


def _detail_render(
    request: HtmxHttpRequest,
    survey: Survey,
    *,
    question_form: QuestionForm | None = None,
    invitation_form: InvitationForm | None = None,
    errors: list[str] | None = None,
    partial: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "survey": survey,
        "questions": selectors.questionnaire(survey),
        "question_form": question_form or QuestionForm(initial={"required": True}),
        "invitation_form": invitation_form or InvitationForm(),
        "branding_form": BrandingForm(
            initial={"colour": survey.brand_colour, "logo": survey.brand_logo}
        ),
        "sent": selectors.distribution_summary(survey=survey),
        "feature_plans": selectors.feature_plans(),
        "errors": errors or [],
        "link_url": None,
    }
    if context["sent"].link is not None:
        context["link_url"] = request.build_absolute_uri(
            context["sent"].link.get_absolute_url()
        )
    template = "surveys/survey_detail.html"
    if partial:
        template += f"#{partial}"
    return render(request, template, context, status=status)


# Questions (while the survey is a draft)


@login_required
@require_POST
def question_add(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id, manage=True)
    form = QuestionForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            services.question_add(
                survey=survey,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                required=form.cleaned_data["required"],
                options=form.cleaned_data["option_list"],
            )
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


# Opening, closing, sending


@login_required
@require_POST
def survey_status(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id, manage=True)
    action = request.POST.get("action")
    try:
        if action == "open":
            services.survey_open(survey=survey, actor=request.user)
            messages.success(request, _("The survey is open. Now send it."))
        elif action == "close":
            services.survey_close(survey=survey, actor=request.user)
            messages.success(
                request, _("The survey is closed. Its responses are kept.")
            )
    except SurveyError as error:
        messages.error(request, str(error))
    return _back_to(request, survey)


@login_required
@require_POST
def link_create(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id, manage=True)
    try:
        services.link_create(survey=survey, actor=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The survey’s link is ready to share."))
    return _back_to(request, survey, "#sending")


@login_required
@require_POST
def invitations_send(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id, manage=True)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            batch = services.invitations_send(
                survey=survey,
                emails=form.cleaned_data["emails"],
                actor=request.user,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except SurveyError as error:
            form.add_error("emails", str(error))
        else:
            if batch.invited:
                messages.success(
                    request,
                    _("%(count)s invitations are on their way.")
                    % {"count": len(batch.invited)},
                )
            if batch.already_invited:
                messages.warning(
                    request,
                    _("Already invited, not sent again: %(addresses)s")
                    % {"addresses": ", ".join(batch.already_invited)},
                )
            return _back_to(request, survey, "#sending")
    return _detail_render(request, survey, invitation_form=form, status=422)


@login_required
@require_POST
def branding_set(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id, manage=True)
    form = BrandingForm(request.POST)
    if form.is_valid():
        try:
            use = services.survey_set_branding(
                survey=survey,
                colour=form.cleaned_data["colour"],
                logo=form.cleaned_data["logo"],
                actor=request.user,
            )
        except SurveyError as error:
            messages.error(request, str(error))
        else:
            if use is not None and use.assigned is not None:
                messages.info(request, use.message)
            messages.success(request, _("The respondent pages’ look is saved."))
    else:
        messages.error(request, _("Choose a colour and a logo from the lists."))
    return _back_to(request, survey, "#branding")


def _back_to(request: HtmxHttpRequest, survey: Survey, anchor: str = ""):
    url = survey.get_absolute_url() + anchor
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# Reports and data


def _real_data(request: HtmxHttpRequest, survey: Survey) -> FeatureUse | None:
    """Whether the reader sees the real answers. The owner always does (it is
    their data, downloadable on any plan); anyone else reads them through
    the paid feature, which may assign a plan on the spot. None means the
    owner."""
    if survey.owner_id == request.user.pk:
        return None
    return feature_use(user=request.user, feature=Feature.REPORTS_REAL_DATA)


@login_required
@require_GET
def survey_report(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    use = _real_data(request, survey)
    simulated = use is not None and not use.allowed
    return render(
        request,
        "surveys/survey_report.html",
        {
            "survey": survey,
            "simulated": simulated,
            "use": use,
            "report": selectors.survey_report(survey=survey, simulated=simulated),
            "feature_plans": selectors.feature_plans(),
        },
    )


@login_required
@require_POST
def report_export(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    """The report as an Excel workbook: a paid feature of the reader's plan."""
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    use = feature_use(user=request.user, feature=Feature.REPORT_EXPORT)
    if not use.allowed:
        messages.error(request, use.message)
        return redirect("surveys:survey-report", survey_id=survey.pk)
    if use.assigned is not None:
        messages.info(request, use.message)
    real = _real_data(request, survey)
    simulated = real is not None and not real.allowed
    content = BytesIO()
    exports.report_workbook(survey=survey, simulated=simulated).save(content)
    response = HttpResponse(
        content.getvalue(),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(survey)}-report.xlsx"'
    )
    return response


@login_required
@require_GET
def responses_download(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    """The response data as CSV, streamed: the owner can always download it,
    on any plan; other members need to read real data."""
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    use = _real_data(request, survey)
    if use is not None and not use.allowed:
        messages.error(request, use.message)
        return redirect(survey)
    return csv_streaming_response(
        selectors.response_rows(survey=survey),
        filename=f"{_filename(survey)}-responses.csv",
    )


def _filename(survey: Survey) -> str:
    return slugify(survey.title)[:60] or f"survey-{survey.pk}"


# The respondent pages: public, anonymous, the hot path.


@require_http_methods(["GET", "POST"])
def respond_link(request: HtmxHttpRequest, token: str) -> HttpResponse:
    survey = selectors.survey_get_by_link(token=token)
    if survey is None:
        return _respond_not_found(request)
    return _respond(
        request,
        survey=survey,
        invitation=None,
        thanks_url=reverse("surveys:respond-link-thanks", kwargs={"token": token}),
    )


@require_http_methods(["GET", "POST"])
def respond_invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_get_by_token(token=token)
    if invitation is None:
        return _respond_not_found(request)
    if invitation.used_at is not None:
        return _respond_refused(request, invitation.survey, reason="used")
    return _respond(
        request,
        survey=invitation.survey,
        invitation=invitation,
        thanks_url=reverse(
            "surveys:respond-invitation-thanks", kwargs={"token": token}
        ),
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


def _respond(
    request: HtmxHttpRequest,
    *,
    survey: Survey,
    invitation: Invitation | None,
    thanks_url: str,
) -> HttpResponse:
    if request.method == "GET":
        if not services.survey_accepts_responses(survey=survey):
            reason = "closed" if survey.status == SurveyStatus.CLOSED else "inactive"
            return _respond_refused(request, survey, reason=reason)
        if invitation is None and not request.GET:
            return _respond_blank(request, survey)
        form = ResponseForm(
            initial={"form_token": _form_token(survey, invitation)},
            questions=selectors.questionnaire(survey),
        )
        return _respond_render(request, survey, form)

    # A form served while the survey was active is accepted even if the
    # limit has been reached since, once (its nonce is stored with the
    # response): the same form sent again, or one without a valid signature,
    # is a new arrival, and the rule decides.
    nonce = _form_token_nonce(request.POST.get("form_token", ""), survey, invitation)
    if not survey.is_open:
        return _respond_refused(request, survey, reason="closed", status=409)
    served = nonce is not None and not selectors.form_nonce_spent(nonce=nonce)
    if not served and not services.survey_accepts_responses(survey=survey):
        return _respond_refused(request, survey, reason="inactive", status=409)
    data = request.POST.copy()
    if not served:
        # Shown again with its errors, the form is one served now.
        data["form_token"] = _form_token(survey, invitation)
    form = ResponseForm(data, questions=selectors.questionnaire(survey))
    if not form.is_valid():
        # A full page in the respondent's browser, not an htmx fragment: a
        # form with its messages is an ordinary page there.
        return _respond_render(request, survey, form)
    try:
        services.response_submit(
            survey=survey,
            answers=form.answers(),
            channel=Channel.EMAIL if invitation else Channel.LINK,
            invitation=invitation,
            form_nonce=nonce if served else None,
        )
    except FormAlreadySent:
        # The same served form sent twice at once: the other copy is kept.
        return redirect(thanks_url)
    except SurveyNotOpen:
        return _respond_refused(request, survey, reason="closed", status=409)
    except InvitationUsed:
        return _respond_refused(request, survey, reason="used", status=409)
    except SurveyError as error:
        form.add_error(None, str(error))
        return _respond_render(request, survey, form)
    return redirect(thanks_url)


def _respond_blank(request: HtmxHttpRequest, survey: Survey) -> HttpResponse:
    """The blank form of a public link, the page every respondent opens.

    It is the same for all of them but for two values, the CSRF token and
    the signed form token: it is rendered once per survey, revision,
    branding, language and link (see `_respond_page_key`) and kept for
    RESPOND_PAGE_CACHE_SECONDS, with stand-ins where those two go. Whether
    the survey accepts responses is still decided on every visit, before
    this. Anything else that varies by visitor must not go in the page."""
    key = _respond_page_key(request, survey)
    page = cache.get(key)
    if page is None:
        form = ResponseForm(
            initial={"form_token": _FORM_TOKEN_SLOT},
            questions=selectors.questionnaire(survey),
        )
        page = render_to_string(
            "surveys/respond.html",
            {"survey": survey, "form": form, "csrf_token": _CSRF_TOKEN_SLOT},
            request=request,
        )
        cache.set(key, page, RESPOND_PAGE_CACHE_SECONDS)
    return HttpResponse(
        page.replace(_CSRF_TOKEN_SLOT, get_token(request)).replace(
            _FORM_TOKEN_SLOT, _form_token(survey, None)
        )
    )


def _respond_page_key(request: HtmxHttpRequest, survey: Survey) -> str:
    """Everything the blank page shows, hashed: a change of any gives
    another page. The revision stands for the questions."""
    shown = [
        survey.pk,
        survey.revision,
        survey.title,
        survey.description,
        survey.brand_class,
        survey.brand_logo_path,
        get_language(),
        request.path,
    ]
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"surveys:respond-page:{digest}"


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


def _form_token(survey: Survey, invitation: Invitation | None) -> str:
    """A signed token for a served form: the survey, the invitation, and a
    nonce that marks this form alone."""
    return signing.dumps(
        {
            "s": survey.pk,
            "i": invitation.pk if invitation else None,
            "n": secrets.token_urlsafe(FORM_TOKEN_NONCE_BYTES),
        },
        salt=FORM_TOKEN_SALT,
    )


def _form_token_nonce(
    token: str, survey: Survey, invitation: Invitation | None
) -> str | None:
    """The nonce of a form served by this survey's page (and this
    invitation's), as active, less than FORM_TOKEN_MAX_AGE ago; None for
    anything else."""
    try:
        served = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(served, dict) or (served.get("s"), served.get("i")) != (
        survey.pk,
        invitation.pk if invitation else None,
    ):
        return None
    return served.get("n")
