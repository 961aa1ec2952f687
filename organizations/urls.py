from django.urls import path

from organizations import views

app_name = "organizations"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization-list"),
    path(
        "organizations/<int:organization_id>/",
        views.organization_detail,
        name="organization-detail",
    ),
    path(
        "organizations/<int:organization_id>/members/",
        views.member_list,
        name="member-list",
    ),
    path(
        "organizations/<int:organization_id>/members/add/",
        views.member_add,
        name="member-add",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/",
        views.member_detail,
        name="member-detail",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/role/",
        views.member_role,
        name="member-role",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member-remove",
    ),
]
