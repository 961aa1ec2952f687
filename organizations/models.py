from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
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
    # A suspended member (deprovisioned by directory sync) keeps their place
    # and what they made, but reaches nothing of the organization and holds
    # no seat until they are restored.
    is_active = models.BooleanField(_("active"), default=True)
    # The directory's own identifier for this person (SCIM `externalId`).
    external_id = models.CharField(
        _("directory identifier"), max_length=255, blank=True
    )

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
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~models.Q(external_id=""),
                name="organizations_membership_external_id",
                violation_error_message=_(
                    "Another member has this directory identifier."
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


class Group(models.Model):
    """A named set of an organization's members, made on the Members page or
    pushed by a directory (SCIM). A group can be mapped to a plan."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="groups",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=200)
    # The directory's own identifier for the group (SCIM `externalId`).
    external_id = models.CharField(
        _("directory identifier"), max_length=255, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    members = models.ManyToManyField(
        Membership,
        through="GroupMember",
        related_name="member_groups",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="organizations_group_unique_name",
                violation_error_message=_(
                    "The organization already has a group with this name."
                ),
            ),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~models.Q(external_id=""),
                name="organizations_group_external_id",
                violation_error_message=_(
                    "Another group has this directory identifier."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        related_name="group_members",
        verbose_name=_("group"),
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="group_members",
        verbose_name=_("member"),
    )
    # The order members joined the group is the order they get its plan.
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "membership"],
                name="organizations_group_member_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["group", "joined_at", "id"], name="organizations_gm_order"
            ),
        ]

    def __str__(self):
        return f"{self.membership} ∈ {self.group}"
