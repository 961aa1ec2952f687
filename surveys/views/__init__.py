"""The surveys app's pages, by family: `manage` (home, creating a survey,
status, sending and branding), `questions` (a draft's questions), `reports`
(the report, its export and the response data) and `respond` (the public
respondent pages)."""

from surveys.views.manage import (
    branding_set,
    home,
    invitations_send,
    link_create,
    survey_create,
    survey_detail,
    survey_status,
)
from surveys.views.questions import (
    question_add,
    question_delete,
    question_edit,
    question_move,
)
from surveys.views.reports import (
    real_data_use,
    report_export,
    responses_download,
    survey_report,
)
from surveys.views.respond import (
    respond_invitation,
    respond_invitation_thanks,
    respond_link,
    respond_link_thanks,
)

__all__ = [
    "branding_set",
    "home",
    "invitations_send",
    "link_create",
    "question_add",
    "question_delete",
    "question_edit",
    "question_move",
    "real_data_use",
    "report_export",
    "respond_invitation",
    "respond_invitation_thanks",
    "respond_link",
    "respond_link_thanks",
    "responses_download",
    "survey_create",
    "survey_detail",
    "survey_report",
    "survey_status",
]
