from django.contrib import admin, messages
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from surveys import services
from surveys.exceptions import SurveyError
from surveys.models import (
    Answer,
    Distribution,
    Invitation,
    Option,
    Question,
    Response,
    Survey,
    SurveyStatus,
)


class QuestionInline(admin.TabularInline):
    """Questions can change while the survey is a draft, as in the app;
    afterwards respondents' answers refer to them."""

    model = Question
    extra = 0
    fields = ["position", "kind", "text", "required", "option_list"]
    readonly_fields = ["option_list"]
    ordering = ["position", "pk"]

    @admin.display(description=_("options"))
    def option_list(self, obj):
        return ", ".join(option.label for option in obj.options.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("options")

    def _editable(self, obj):
        return obj is None or obj.status == SurveyStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class DistributionInline(admin.TabularInline):
    model = Distribution
    extra = 0
    fields = ["channel", "created_at", "created_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """The status is read-only: it changes through the actions, which call
    the services as the survey's page does. A survey put back to draft
    would let its owner edit questions that respondents have answered."""

    list_display = [
        "title",
        "owner",
        "organization",
        "status",
        "response_count",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["title", "owner__email", "organization__name"]
    list_select_related = ["owner", "organization"]
    autocomplete_fields = ["owner", "organization"]
    readonly_fields = [
        "status",
        "response_count",
        "created_at",
        "opened_at",
        "closed_at",
    ]
    date_hierarchy = "created_at"
    inlines = [QuestionInline, DistributionInline]
    actions = ["open_surveys", "close_surveys"]

    @admin.action(
        permissions=["change"],
        description=_("Open the selected surveys"),
        location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
    )
    def open_surveys(self, request, queryset):
        self._status_change(request, queryset, services.survey_open)

    @admin.action(
        permissions=["change"],
        description=_("Close the selected surveys"),
        location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
    )
    def close_surveys(self, request, queryset):
        self._status_change(request, queryset, services.survey_close)

    def _status_change(self, request, queryset, service):
        changed = 0
        for survey in queryset:
            try:
                result = service(survey=survey, actor=request.user)
            except SurveyError as error:
                self.message_user(request, f"{survey.title}: {error}", messages.ERROR)
            else:
                if result.status != survey.status:
                    changed += 1
                    # The survey's admin history names the staff member.
                    self.log_change(
                        request, result, [{"changed": {"fields": ["status"]}}]
                    )
        if changed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d survey changed status.",
                    "%(count)d surveys changed status.",
                    changed,
                )
                % {"count": changed},
                messages.SUCCESS,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The public pages cache the questions by revision.
        Survey.objects.filter(pk=form.instance.pk).update(revision=F("revision") + 1)


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "survey", "kind", "position"]
    list_filter = ["kind"]
    search_fields = ["text", "survey__title"]
    list_select_related = ["survey"]
    raw_id_fields = ["survey"]
    inlines = [OptionInline]

    def has_change_permission(self, request, obj=None):
        editable = obj is None or obj.survey.status == SurveyStatus.DRAFT
        return editable and super().has_change_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        Survey.objects.filter(pk=form.instance.survey_id).update(
            revision=F("revision") + 1
        )


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["email", "created_at", "used_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Distribution)
class DistributionAdmin(admin.ModelAdmin):
    """How surveys were sent; made by the app's services, read here."""

    list_display = ["survey", "channel", "created_at", "created_by"]
    list_filter = ["channel"]
    search_fields = ["survey__title"]
    list_select_related = ["survey", "created_by"]
    fields = ["survey", "channel", "created_at", "created_by"]
    readonly_fields = fields
    inlines = [InvitationInline]

    def has_add_permission(self, request):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "survey", "created_at", "used_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "survey__title"]
    list_select_related = ["survey"]
    fields = ["email", "survey", "distribution", "created_at", "used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "value"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("answer"))
    def value(self, obj):
        return obj.display_value

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "option")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Respondents' answers are read here, never changed or deleted: the
    survey's counter and the owner's data depend on them."""

    list_display = ["__str__", "survey", "channel", "submitted_at"]
    list_filter = ["channel"]
    search_fields = ["survey__title", "invitation__email"]
    list_select_related = ["survey"]
    fields = ["survey", "channel", "invitation", "submitted_at"]
    readonly_fields = fields
    date_hierarchy = "submitted_at"
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
