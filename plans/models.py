from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FREE_PLAN_CODE = "free"


class Feature(models.TextChoices):
    """The paid features, named in code; which plan includes which is data."""

    MORE_RESPONSES = "more_responses", _("More responses than the Free limit")
    REPORTS_REAL_DATA = "reports_real_data", _("Reading reports with real data")
    REPORT_EXPORT = "report_export", _("Exporting reports")
    CUSTOM_BRANDING = "custom_branding", _("Custom branding")


class PlanQuerySet(models.QuerySet):
    def free(self):
        return self.get(code=FREE_PLAN_CODE)

    def paid(self):
        return self.exclude(code=FREE_PLAN_CODE)

    def with_features(self):
        return self.prefetch_related("features")


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(
        _("name"),
        max_length=80,
        help_text=_(
            "Shown translated when the catalogue knows the name, as entered otherwise."
        ),
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("Cheapest first: Free is 0.")
    )
    response_limit = models.PositiveIntegerField(
        _("responses per survey"),
        null=True,
        blank=True,
        help_text=_("Empty for unlimited."),
    )
    monthly_price = models.DecimalField(
        _("price per member per month (EUR)"),
        max_digits=8,
        decimal_places=2,
        default=0,
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["rank"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        # The seeded names are in the catalogue (see migrations); a name staff
        # add later is shown as entered.
        return gettext(self.name)

    @property
    def is_free(self):
        return self.code == FREE_PLAN_CODE

    @property
    def is_unlimited(self):
        return self.response_limit is None

    def includes(self, feature: str) -> bool:
        return any(item.feature == feature for item in self.features.all())

    def accepts_responses(self, count: int) -> bool:
        return self.response_limit is None or count < self.response_limit


class PlanFeature(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="features", verbose_name=_("plan")
    )
    feature = models.CharField(_("feature"), max_length=40, choices=Feature)

    class Meta:
        verbose_name = _("included feature")
        verbose_name_plural = _("included features")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "feature"], name="plans_planfeature_unique"
            ),
        ]

    def __str__(self):
        return self.get_feature_display()
