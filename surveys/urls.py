from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("surveys/new/", views.survey_create, name="survey-create"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey-detail"),
    path(
        "surveys/<int:survey_id>/questions/",
        views.question_add,
        name="question-add",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/edit/",
        views.question_edit,
        name="question-edit",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/move/",
        views.question_move,
        name="question-move",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question-delete",
    ),
    path("surveys/<int:survey_id>/status/", views.survey_status, name="survey-status"),
    path("surveys/<int:survey_id>/link/", views.link_create, name="link-create"),
    path(
        "surveys/<int:survey_id>/invitations/",
        views.invitations_send,
        name="invitations-send",
    ),
    path("surveys/<int:survey_id>/branding/", views.branding_set, name="branding"),
    path("surveys/<int:survey_id>/report/", views.survey_report, name="survey-report"),
    path(
        "surveys/<int:survey_id>/report/real-data/",
        views.real_data_use,
        name="report-real-data",
    ),
    path(
        "surveys/<int:survey_id>/report/export/",
        views.report_export,
        name="report-export",
    ),
    path(
        "surveys/<int:survey_id>/responses.csv",
        views.responses_download,
        name="responses-download",
    ),
    # The respondent pages: public, behind unguessable tokens.
    path("s/<str:token>/", views.respond_link, name="respond-link"),
    path(
        "s/<str:token>/thanks/", views.respond_link_thanks, name="respond-link-thanks"
    ),
    path("i/<str:token>/", views.respond_invitation, name="respond-invitation"),
    path(
        "i/<str:token>/thanks/",
        views.respond_invitation_thanks,
        name="respond-invitation-thanks",
    ),
]
