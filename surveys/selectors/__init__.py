"""Reads of the surveys app, by what they serve: `surveys` (who sees which
survey, the public pages' lookups, the questionnaire, how a survey was sent)
and `reports` (a survey's results and its response data)."""

from surveys.selectors.reports import (
    Bar,
    QuestionReport,
    response_rows,
    survey_report,
)
from surveys.selectors.surveys import (
    CREATOR_ROLES,
    TOKEN_PATTERN,
    DistributionSummary,
    QuestionItem,
    distribution_summary,
    feature_plans,
    form_nonce_spent,
    invitation_get_by_token,
    organizations_for_new_survey,
    questionnaire,
    survey_get,
    survey_get_by_link,
    survey_get_for_form,
    survey_is_accepting,
    survey_list_deactivated_by,
    survey_list_for_user,
)

__all__ = [
    "CREATOR_ROLES",
    "TOKEN_PATTERN",
    "Bar",
    "DistributionSummary",
    "QuestionItem",
    "QuestionReport",
    "distribution_summary",
    "feature_plans",
    "form_nonce_spent",
    "invitation_get_by_token",
    "organizations_for_new_survey",
    "questionnaire",
    "response_rows",
    "survey_get",
    "survey_get_by_link",
    "survey_get_for_form",
    "survey_is_accepting",
    "survey_list_deactivated_by",
    "survey_list_for_user",
    "survey_report",
]
