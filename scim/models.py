from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
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


class DirectoryProfile(models.Model):
    """What a directory says of a member that the account does not hold:
    its `userName` (Entra ID's user principal name, which may differ from
    the email the account signs in with), and the parts of the name, which
    the account's single full name cannot hold apart."""

    membership = models.OneToOneField(
        Membership,
        on_delete=models.CASCADE,
        related_name="directory_profile",
        verbose_name=_("membership"),
    )
    user_name = models.CharField(_("directory user name"), max_length=255)
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)

    class Meta:
        indexes = [
            # SCIM compares userName whatever the case (`iexact`: UPPER).
            models.Index(Upper("user_name"), name="scim_profile_user_name"),
        ]
        verbose_name = _("directory profile")
        verbose_name_plural = _("directory profiles")

    def __str__(self):
        return self.user_name
