from django.contrib import admin
from django.urls import include, path

from surveys.views import home

urlpatterns = [
    # The person's own area; the app that owns what it lists serves it.
    path("", home, name="home"),
    path("", include("accounts.urls")),
    path("", include("organizations.urls")),
    path("", include("plans.urls")),
    path("", include("contracts.urls")),
    path("", include("surveys.urls")),
    path("", include("api.urls")),
    path("scim/v2/", include("scim.urls")),
    path("", include("imports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
