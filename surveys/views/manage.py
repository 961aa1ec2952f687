"""The person's own area and a survey's management pages: home, creating a
survey, opening and closing it, sending (link and invitations) and the
respondent pages' look. Its questions are `questions`' pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import HtmxHttpRequest
from contracts.my_plan import my_plan
from contracts.selectors import plan_request_panels
from organizations.selectors import membership_list_for_user
from plans.models import Feature
from surveys import selectors, services
from surveys.exceptions import FeatureRefused, SurveyError
from surveys.forms import (
    PERSONAL,
    BrandingForm,
    InvitationForm,
    QuestionForm,
    SurveyCreateForm,
)
from surveys.models import Survey
from surveys.views._refusals import refusal_message

SURVEYS_PER_PAGE = 20
# The panels of the survey page where a message confirming their form shows
# (see _messages.html).
IN_QUESTIONS = "in-questions"
IN_SENDING = "in-sending"
IN_BRANDING = "in-branding"


@login_required
@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Home: the person's organizations, their plan ("My plan") and the
    surveys they can see, with their status and response counts."""
    page = Paginator(
        selectors.survey_list_for_user(user=request.user), SURVEYS_PER_PAGE
    ).get_page(request.GET.get("page"))
    if request.htmx.target == "survey-list":
        return render(request, "surveys/home.html#survey-list", {"page": page})
    memberships = list(membership_list_for_user(user=request.user))
    return render(
        request,
        "surveys/home.html",
        {
            "memberships": memberships,
            "my_plan": my_plan(user=request.user, memberships=memberships),
            "page": page,
            "plan_request_panels": plan_request_panels(user=request.user),
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
        try:
            survey = services.survey_create(
                owner=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                organization=_place(form, memberships),
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


def _place(form: SurveyCreateForm, memberships: list):
    """The organization chosen in the form, or None for the own area."""
    place = form.cleaned_data["place"]
    if place == PERSONAL:
        return None
    return next(m.organization for m in memberships if str(m.organization_id) == place)


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
        messages.error(request, str(error), extra_tags=IN_SENDING)
    else:
        messages.success(
            request, _("The survey’s link is ready to share."), extra_tags=IN_SENDING
        )
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
            _invitations_sent_say(request, batch)
            return _back_to(request, survey, "#sending")
    return _detail_render(request, survey, invitation_form=form, status=422)


def _invitations_sent_say(
    request: HtmxHttpRequest, batch: services.InvitationBatch
) -> None:
    if batch.invited:
        messages.success(
            request,
            ngettext(
                "%(count)s invitation is on its way.",
                "%(count)s invitations are on their way.",
                len(batch.invited),
            )
            % {"count": len(batch.invited)},
            extra_tags=IN_SENDING,
        )
    if batch.already_invited:
        messages.warning(
            request,
            _("Already invited, not sent again: %(addresses)s")
            % {"addresses": ", ".join(batch.already_invited)},
            extra_tags=IN_SENDING,
        )


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
        except FeatureRefused as error:
            messages.error(
                request,
                _branding_refusal(request, survey, error),
                extra_tags=IN_BRANDING,
            )
        except SurveyError as error:
            messages.error(request, str(error), extra_tags=IN_BRANDING)
        else:
            if use is not None and use.assigned is not None:
                messages.info(request, use.message, extra_tags=IN_BRANDING)
            messages.success(
                request,
                _("The respondent pages’ look is saved."),
                extra_tags=IN_BRANDING,
            )
    else:
        messages.error(
            request,
            _("Choose a colour and a logo from the lists."),
            extra_tags=IN_BRANDING,
        )
    return _back_to(request, survey, "#branding")


def _branding_refusal(
    request: HtmxHttpRequest, survey: Survey, error: FeatureRefused
) -> str:
    """The refusal is about the owner's plan: its link to their own member
    page, and the waitlist, are shown to the owner only."""
    if survey.owner_id != request.user.pk:
        return str(error)
    return refusal_message(
        request,
        error.html,
        feature=Feature.CUSTOM_BRANDING,
        back=f"{survey.get_absolute_url()}#branding",
    )


def _back_to(request: HtmxHttpRequest, survey: Survey, anchor: str = ""):
    url = survey.get_absolute_url() + anchor
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
