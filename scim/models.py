from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models import Membership, Organization


class ScimToken(models.Model):
    """A bearer token a directory (Entra ID, Okta) uses to provision an
    organization's members through SCIM. Only its SHA-256 digest is kept:
    its 256 random bits need no slow hash."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="scim_tokens",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None


class DirectoryName(models.Model):
    """The parts of a member's name a directory sent (SCIM `name`), which the
    account's single full name cannot hold apart."""

    membership = models.OneToOneField(
        Membership,
        on_delete=models.CASCADE,
        related_name="directory_name",
        verbose_name=_("membership"),
    )
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("directory name")
        verbose_name_plural = _("directory names")

    def __str__(self):
        return f"{self.given_name} {self.family_name}".strip()
