from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Reclaiming idle seats (off by default): a member who used no paid
    # feature for `idle_remind_days` is reminded, and their seat is freed
    # `idle_reclaim_days` later unless they keep it.
    idle_reclaim = models.BooleanField(_("reclaim idle plans"), default=False)
    idle_remind_days = models.PositiveSmallIntegerField(
        _("remind after (days without use)"), default=60
    )
    idle_reclaim_days = models.PositiveSmallIntegerField(
        _("reclaim after (days after the reminder)"), default=14
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "organizations:organization-detail",
            kwargs={"organization_id": self.pk},
        )


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    COLLABORATOR = "collaborator", _("Collaborator")
    READER = "reader", _("Reader")


class Membership(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role, default=Role.COLLABORATOR
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                name="organizations_membership_unique",
                violation_error_message=_(
                    "This person is already a member of the organization."
                ),
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "role"], name="organizations_m_org_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.organization})"

    def get_absolute_url(self):
        return reverse(
            "contracts:member-detail",
            kwargs={"organization_id": self.organization_id, "membership_id": self.pk},
        )

    @property
    def is_administrator(self):
        return self.role == Role.ADMINISTRATOR
