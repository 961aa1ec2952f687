from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path(
        "organizations/<int:organization_id>/members/import/",
        views.import_new,
        name="import-new",
    ),
    path(
        "organizations/<int:organization_id>/members/import/template.csv",
        views.import_template,
        name="import-template",
    ),
    path(
        "organizations/<int:organization_id>/members/import/<int:import_id>/",
        views.import_detail,
        name="import-detail",
    ),
    path(
        "organizations/<int:organization_id>/members/import/<int:import_id>/confirm/",
        views.import_confirm,
        name="import-confirm",
    ),
    path(
        "organizations/<int:organization_id>/members/import/<int:import_id>/report.csv",
        views.import_report,
        name="import-report",
    ),
]
