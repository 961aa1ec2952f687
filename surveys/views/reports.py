"""A survey's report (real or simulated), its Excel export and the
response data download."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import HtmxHttpRequest
from config.exports import csv_streaming_response
from contracts.entitlements import FeatureCheck, feature_check, feature_use
from contracts.selectors import WaitlistOffer, waitlist_offer
from plans.models import Feature
from surveys import exports, selectors
from surveys.models import Survey
from surveys.views._refusals import refusal_message

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _real_data(request: HtmxHttpRequest, survey: Survey) -> FeatureCheck | None:
    """Whether the reader sees the real answers, read only. The owner always
    does (it is their data, downloadable on any plan): None. Anyone else
    reads them through the paid feature; a page view never gives the plan
    that includes it, the "Use my … seat" button does (`real_data_use`)."""
    if survey.owner_id == request.user.pk:
        return None
    return feature_check(user=request.user, feature=Feature.REPORTS_REAL_DATA)


@login_required
@require_GET
def survey_report(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    access = _real_data(request, survey)
    simulated = access is not None and not access.allowed
    return render(
        request,
        "surveys/survey_report.html",
        {
            "survey": survey,
            "simulated": simulated,
            "access": access,
            "report": selectors.survey_report(survey=survey, simulated=simulated),
            "feature_plans": selectors.feature_plans(),
            "waitlist": _waitlist_offer(request, access),
        },
    )


@login_required
@require_POST
def real_data_use(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    """The reader's click on "Use my … seat": reading real data, which may
    give them a plan that includes it (automatic assignment). Only a POST
    does, so that a link on another site cannot spend a seat."""
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    if survey.owner_id != request.user.pk:
        use = feature_use(user=request.user, feature=Feature.REPORTS_REAL_DATA)
        if not use.allowed:
            messages.error(request, use.message_html())
        elif use.assigned is not None:
            messages.success(request, use.message)
    return redirect("surveys:survey-report", survey_id=survey.pk)


@login_required
@require_POST
def report_export(request: HtmxHttpRequest, survey_id: int) -> HttpResponse:
    """The report as an Excel workbook: a paid feature of the reader's plan."""
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    use = feature_use(user=request.user, feature=Feature.REPORT_EXPORT)
    if not use.allowed:
        messages.error(
            request,
            refusal_message(
                request,
                use.message_html(),
                feature=Feature.REPORT_EXPORT,
                back=reverse("surveys:survey-report", args=[survey.pk]),
            ),
        )
        return redirect("surveys:survey-report", survey_id=survey.pk)
    if use.assigned is not None:
        messages.info(request, use.message)
    access = _real_data(request, survey)
    simulated = access is not None and not access.allowed
    content = BytesIO()
    exports.report_workbook(survey=survey, simulated=simulated).save(content)
    response = HttpResponse(content.getvalue(), content_type=XLSX)
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
    access = _real_data(request, survey)
    if access is not None and not access.allowed:
        messages.error(
            request, access.message_html() if access.message else _offer_message(access)
        )
        return redirect("surveys:survey-report", survey_id=survey.pk)
    return csv_streaming_response(
        selectors.response_rows(survey=survey),
        filename=f"{_filename(survey)}-responses.csv",
    )


def _waitlist_offer(
    request: HtmxHttpRequest, access: FeatureCheck | None
) -> WaitlistOffer | None:
    """Joining the waitlist, offered when reading real data is refused and
    automatic assignment has no seat to offer."""
    if access is None or access.allowed or access.offer is not None:
        return None
    return waitlist_offer(user=request.user, feature=Feature.REPORTS_REAL_DATA)


def _offer_message(access: FeatureCheck) -> str:
    return _(
        "Reading the response data comes with the %(plan)s plan: use your "
        "%(plan)s seat from the report first."
    ) % {"plan": access.offer.display_name}


def _filename(survey: Survey) -> str:
    return slugify(survey.title)[:60] or f"survey-{survey.pk}"
