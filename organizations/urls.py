from django.urls import path

from organizations import views
from scim import views as scim_views

app_name = "organizations"

# The members pages show plans and free seats, so the contracts app serves
# them (contracts/urls.py), under /organizations/<id>/members/.
urlpatterns = [
    path("organizations/", views.organization_list, name="organization-list"),
    path(
        "organizations/<int:organization_id>/",
        views.organization_detail,
        name="organization-detail",
    ),
    # Directory sync (SCIM) is an organization page; the scim app serves it.
    path(
        "organizations/<int:organization_id>/directory-sync/",
        scim_views.directory_sync,
        name="directory-sync",
    ),
    path(
        "organizations/<int:organization_id>/directory-sync/tokens/",
        scim_views.token_create,
        name="directory-sync-create",
    ),
    path(
        "organizations/<int:organization_id>/directory-sync/tokens/<int:token_id>/revoke/",
        scim_views.token_revoke,
        name="directory-sync-revoke",
    ),
]
