"""Every change to surveys, their questions, distributions and responses
happens here, inside a transaction, so that the views, the admin and the
demo share one set of rules. Paid features go through the contracts app's
`feature_use`, so that automatic assignment and refusals behave the same
everywhere. Split by what changes together: `editing` (a survey and its
questions), `sending` (link and invitations) and `responses`."""

from surveys.services.editing import (
    question_add,
    question_delete,
    question_move,
    question_update,
    survey_close,
    survey_create,
    survey_open,
    survey_set_branding,
)
from surveys.services.responses import (
    response_submit,
    survey_limit_reached,
    survey_more_responses_request,
)
from surveys.services.sending import (
    INVITATIONS_PER_BATCH,
    INVITATIONS_PER_DAY,
    InvitationBatch,
    invitations_per_day,
    invitations_send,
    link_create,
)

__all__ = [
    "INVITATIONS_PER_BATCH",
    "INVITATIONS_PER_DAY",
    "InvitationBatch",
    "invitations_per_day",
    "invitations_send",
    "link_create",
    "question_add",
    "question_delete",
    "question_move",
    "question_update",
    "response_submit",
    "survey_close",
    "survey_create",
    "survey_limit_reached",
    "survey_more_responses_request",
    "survey_open",
    "survey_set_branding",
]
