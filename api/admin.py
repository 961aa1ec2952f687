from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from api.services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Support sees tokens and revokes them, through the service the
    account page uses; nothing else about a token changes here."""

    list_display = [
        "name",
        "user",
        "prefix",
        "scope",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope"]
    search_fields = ["name", "user__email", "prefix"]
    exclude = ["digest"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # A token is made with its secret, by its owner (the account page)
        # or the `api_token` command; the admin could only store a digest.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, _("The selected tokens are revoked."))
