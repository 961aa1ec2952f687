from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lifecycle.models import SweepRun


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    """What the periodic sweeps did, and the errors of those that failed:
    read only, written by the worker."""

    list_display = ["sweep", "slot", "done", "finished_at", "failed"]
    list_filter = ["sweep"]
    search_fields = ["sweep", "error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("failed"))
    def failed(self, obj):
        return bool(obj.error)
