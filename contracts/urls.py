from django.urls import path

from contracts.views import members

app_name = "contracts"

urlpatterns = []

# The organization's members pages, with their plans.
urlpatterns += [
    path(
        "organizations/<int:organization_id>/members/",
        members.member_list,
        name="member-list",
    ),
    path(
        "organizations/<int:organization_id>/members/add/",
        members.member_add,
        name="member-add",
    ),
    path(
        "organizations/<int:organization_id>/members/plan/",
        members.member_bulk_plan,
        name="member-bulk-plan",
    ),
    path(
        "organizations/<int:organization_id>/members/export/",
        members.member_export,
        name="member-export",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/",
        members.member_detail,
        name="member-detail",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/role/",
        members.member_role,
        name="member-role",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/plan/",
        members.member_plan,
        name="member-plan",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/remove/",
        members.member_remove,
        name="member-remove",
    ),
]
