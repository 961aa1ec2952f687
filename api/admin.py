from django.contrib import admin

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scope", "created_at", "last_used_at"]
    list_filter = ["scope"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    exclude = ["digest"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        # A token is made with its secret, by its owner (the account page)
        # or the `api_token` command; the admin could only store a digest.
        return False
