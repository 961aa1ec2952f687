from django.urls import path, re_path

from scim import api, endpoints

app_name = "scim"

# SCIM names its endpoints in CamelCase (RFC 7644 §3.2).
urlpatterns = [
    path("", api.root, name="root"),
    path("ServiceProviderConfig", api.service_provider_config, name="config"),
    path("ResourceTypes", api.resource_types, name="resource-types"),
    path("ResourceTypes/<str:name>", api.resource_types, name="resource-type"),
    path("Schemas", api.schemas, name="schemas"),
    path("Schemas/<str:name>", api.schemas, name="schema"),
    path(".search", api.search_all, name="search"),
    path("Users/.search", endpoints.users_search, name="users-search"),
    path("Groups/.search", endpoints.groups_search, name="groups-search"),
    path("Users", endpoints.users, name="users"),
    path("Users/<str:resource_id>", endpoints.user, name="user"),
    path("Groups", endpoints.groups, name="groups"),
    path("Groups/<str:resource_id>", endpoints.group, name="group"),
    re_path(r"^(?P<rest>.*)$", api.not_found, name="not-found"),
]
