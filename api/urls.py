"""The REST API (/api/v1/, its own namespace "api", which ninja's docs
page reverses) and the account's page of personal API tokens."""

from django.urls import include, path

from api import views
from api.api import api

token_patterns = [
    path("", views.token_list, name="token-list"),
    path("<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]

urlpatterns = [
    path("api/v1/", api.urls),
    path("account/api-tokens/", include((token_patterns, "api-tokens"))),
]
