from django.urls import path

from organizations import views

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
]
