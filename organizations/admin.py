"""The admin of organizations and memberships as this app knows them. The
contracts app registers subclasses in their place (contracts/admin.py):
deleting a member or an organization also frees seats and disconnects
contracts, rules that live above this app."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from organizations import services
from organizations.models import Group, GroupMember, Membership, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # An explicit order: a grouped query drops the model's default one,
        # and the autocomplete of other models' fields pages through this.
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("memberships"))
            .order_by("name", "pk")
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Role changes and removals go through the services, so support staff
    cannot leave an organization without an administrator either."""

    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["user", "organization", "created_at"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.membership_change_role(
                    membership=obj, role=obj.role, actor=request.user
                )
            else:
                added = services.membership_add(
                    organization=obj.organization,
                    email=obj.user.email,
                    role=obj.role,
                    actor=request.user,
                    base_url=request.build_absolute_uri("/").rstrip("/"),
                )
                obj.pk = added.pk
        except services.MembershipError as error:
            self.message_user(request, str(error), messages.ERROR)

    def delete_model(self, request, obj):
        try:
            services.membership_remove(membership=obj, actor=request.user)
        except services.MembershipError as error:
            self.message_user(request, str(error), messages.ERROR)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("organization"):
            try:
                services.membership_remove(membership=membership, actor=request.user)
            except services.MembershipError as error:
                self.message_user(request, str(error), messages.ERROR)


class GroupMemberInline(admin.TabularInline):
    """A group's members in the order they joined, read only: joining and
    leaving go through the contracts app's services (plans by group)."""

    model = GroupMember
    fields = ["membership", "joined_at"]
    readonly_fields = fields
    ordering = ["joined_at", "pk"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("membership__user")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    """Groups, for support to see. Read only here: the contracts app's
    subclass renames and deletes them through its services."""

    list_display = ["name", "organization", "external_id", "member_count"]
    search_fields = ["name", "external_id", "organization__name"]
    list_select_related = ["organization"]
    fields = ["organization", "name", "external_id", "created_at"]
    readonly_fields = fields
    inlines = [GroupMemberInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("group_members"))
            .order_by("name", "pk")
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
