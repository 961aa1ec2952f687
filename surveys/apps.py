from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        # The contracts app, below this one, names in its emails and
        # previews the surveys a lower plan makes inactive: it is told how.
        from contracts import impact
        from surveys.selectors import survey_list_deactivated_by

        impact.surveys_reader_register(survey_list_deactivated_by)
