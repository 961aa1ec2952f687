from django.contrib import admin

from plans.models import Plan, PlanFeature


class PlanFeatureInline(admin.TabularInline):
    model = PlanFeature
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rank", "response_limit", "monthly_price"]
    search_fields = ["name", "code"]
    inlines = [PlanFeatureInline]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else {"code": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        # A code is what the rest of the system refers to: it is set once.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.is_free)
