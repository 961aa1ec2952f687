import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contracts.entitlements import effective_plan_id
from organizations.models import Organization
from plans.models import Feature, Plan, PlanFeature

TOKEN_BYTES = 24  # 192 bits, 32 URL-safe characters


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


# Every character `str.splitlines()` breaks a line at.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def one_line(value: str) -> None:
    """A title goes into email subjects, where a line break is refused."""
    if any(character in LINE_BREAKS for character in value):
        raise ValidationError(_("Write it on one line."), code="line_break")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class BrandColour(models.TextChoices):
    """The respondent pages' accent colour: a fixed palette of CSS classes,
    because the content security policy forbids inline styles."""

    DEFAULT = "", _("Default")
    TEAL = "teal", _("Teal")
    GREEN = "green", _("Green")
    PURPLE = "purple", _("Purple")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")
    SLATE = "slate", _("Slate")


class BrandLogo(models.TextChoices):
    """A logo from a fixed set of static images. Uploads are left out on
    purpose: files on an app server's disk would break the stateless
    servers of the scale path, and user-supplied images need a media store
    and content checks that the project does not have yet."""

    NONE = "", _("No logo")
    LEAF = "leaf", _("Leaf")
    SPARK = "spark", _("Spark")
    WAVE = "wave", _("Wave")
    CIRCLE = "circle", _("Circles")


def _owner_plan_annotations(owner_ref: str) -> dict:
    """The owner's effective plan, its response limit (None: unlimited) and
    whether it includes custom branding, as subqueries of one query."""
    plan_id = effective_plan_id(OuterRef(owner_ref))
    return {
        "owner_plan_id": plan_id,
        # By primary key: no ordering to compile or run.
        "owner_response_limit": Subquery(
            Plan.objects.filter(pk=OuterRef("owner_plan_id"))
            .order_by()
            .values("response_limit")[:1]
        ),
        "owner_has_branding": Exists(
            PlanFeature.objects.filter(
                plan_id=OuterRef("owner_plan_id"), feature=Feature.CUSTOM_BRANDING
            )
        ),
    }


class SurveyQuerySet(models.QuerySet):
    def with_owner_plan(self):
        """Annotate `owner_plan_id`, `owner_response_limit` and
        `owner_has_branding`: the inactive rule without a query per row."""
        return self.annotate(**_owner_plan_annotations("owner_id"))

    def distributed(self):
        return self.filter(Exists(Distribution.objects.filter(survey=OuterRef("pk"))))


class Survey(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("owner"),
    )
    # The organization keeps its surveys when their owner leaves it.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("organization"),
        help_text=_("Empty for a survey in the owner’s own area."),
    )
    title = models.CharField(_("title"), max_length=200, validators=[one_line])
    description = models.TextField(
        _("introduction"),
        max_length=2000,
        blank=True,
        help_text=_("Shown to respondents above the questions."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus, default=SurveyStatus.DRAFT
    )
    # Counted with F() + 1 in the transaction that saves each response, so
    # that the public pages need not count rows.
    response_count = models.PositiveIntegerField(_("responses"), default=0)
    # Bumped whenever the questions change: it keys the cached questionnaire
    # of the public pages.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    brand_colour = models.CharField(
        _("colour"), max_length=20, choices=BrandColour, blank=True, default=""
    )
    brand_logo = models.CharField(
        _("logo"), max_length=20, choices=BrandLogo, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "status"], name="surveys_survey_owner"),
            models.Index(
                fields=["organization", "-created_at"], name="surveys_survey_org"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:survey-detail", kwargs={"survey_id": self.pk})

    @property
    def is_draft(self):
        return self.status == SurveyStatus.DRAFT

    @property
    def is_open(self):
        return self.status == SurveyStatus.OPEN

    @property
    def is_accepting(self) -> bool:
        """Open, and below the owner's plan's limit. Needs the annotations of
        `with_owner_plan()`."""
        limit = self.owner_response_limit
        return self.is_open and (limit is None or self.response_count < limit)

    @property
    def is_at_limit(self) -> bool:
        limit = self.owner_response_limit
        return limit is not None and self.response_count >= limit

    @property
    def brand_class(self) -> str:
        """The palette class of the respondent pages, when the owner's plan
        includes custom branding (the choice is kept either way)."""
        if self.brand_colour and self.owner_has_branding:
            return f"brand-{self.brand_colour}"
        return ""

    @property
    def brand_logo_path(self) -> str:
        if self.brand_logo and self.owner_has_branding:
            return f"surveys/logos/{self.brand_logo}.svg"
        return ""


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Free text")
    CHOICE = "choice", _("Single choice")
    RATING = "rating", _("Rating (1–5)")


RATING_VALUES = range(1, 6)


class Question(models.Model):
    survey = models.ForeignKey(
        Survey,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("survey"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind)
    text = models.CharField(_("question"), max_length=500)
    required = models.BooleanField(_("answer required"), default=True)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class Option(models.Model):
    """One answer of a single-choice question."""

    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="options",
        verbose_name=_("question"),
    )
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label


class Channel(models.TextChoices):
    LINK = "link", _("Link")
    EMAIL = "email", _("Email")


class Distribution(models.Model):
    """How a survey was sent: its public link, or one batch of emails."""

    survey = models.ForeignKey(
        Survey,
        on_delete=models.CASCADE,
        related_name="distributions",
        verbose_name=_("survey"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    # The public link's token; email batches have none (each invitation has
    # its own).
    token = models.CharField(
        _("token"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["created_at", "pk"]
        indexes = [
            # The daily cap counts a person's batches of the last 24 hours.
            models.Index(
                fields=["created_by", "created_at"], name="surveys_distribution_sender"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["survey"],
                condition=Q(channel="link"),
                name="surveys_distribution_one_link",
            ),
            models.CheckConstraint(
                condition=Q(channel="link", token__isnull=False)
                | Q(channel="email", token__isnull=True),
                name="surveys_distribution_token_for_links",
            ),
        ]

    def __str__(self):
        return f"{self.survey} – {self.get_channel_display()}"

    def get_absolute_url(self):
        return reverse("surveys:respond-link", kwargs={"token": self.token})


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class InvitationQuerySet(models.QuerySet):
    def with_survey_owner_plan(self):
        """The survey, with the annotations of `Survey.with_owner_plan()`
        moved onto it after the query (see selectors)."""
        return self.select_related("survey").annotate(
            **_owner_plan_annotations("survey__owner_id")
        )


class Invitation(models.Model):
    """A personal link sent to one email address; it works once."""

    survey = models.ForeignKey(
        Survey,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("survey"),
    )
    distribution = models.ForeignKey(
        Distribution,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("distribution"),
    )
    email = models.EmailField(_("email address"))
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=token_new, editable=False
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # What became of the email, set by the task that sends it: an invitation
    # is shown as sent only once the mailer has taken it.
    email_status = models.CharField(
        _("email"), max_length=10, choices=EmailStatus, default=EmailStatus.PENDING
    )
    email_sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)
    email_failed_at = models.DateTimeField(_("email failed at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "email"],
                name="surveys_invitation_once_per_address",
                violation_error_message=_("This address is already invited."),
            ),
        ]

    def __str__(self):
        return self.email

    def get_absolute_url(self):
        return reverse("surveys:respond-invitation", kwargs={"token": self.token})


class Response(models.Model):
    """One respondent's submitted answers. Never deleted by a plan change."""

    survey = models.ForeignKey(
        Survey,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("survey"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    # One response per invitation: the unique column is the last guard of
    # "each personal link works once".
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    # The nonce of the served form this response came from, when it was
    # accepted as served (over the limit): unique, so that one served form
    # keeps one response, however often it is sent again.
    form_nonce = models.CharField(
        _("form"), max_length=32, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["submitted_at", "pk"]
        indexes = [
            models.Index(
                fields=["survey", "submitted_at"], name="surveys_response_survey"
            ),
        ]

    def __str__(self):
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("response"),
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("question"),
    )
    text = models.TextField(_("text"), blank=True)
    option = models.ForeignKey(
        Option,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("option"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="surveys_answer_once"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="surveys_answer_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["question", "option"], name="surveys_answer_q"),
        ]

    def __str__(self):
        return self.display_value

    @property
    def display_value(self) -> str:
        if self.option_id is not None:
            return self.option.label
        if self.rating is not None:
            return str(self.rating)
        return self.text
