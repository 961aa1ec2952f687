"""/Users and /Groups (RFC 7644 §3): list with filter and pagination,
create, read, replace, patch, delete; each scoped to the token's
organization, so another organization's ids answer 404."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from scim2_models import Context, ListResponse, PatchOp

from scim import filters, resources, serializers, services
from scim.api import (
    check_version,
    read_payload,
    scim_endpoint,
    scim_response,
    search_request,
)


@scim_endpoint("POST")
def users_search(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        serializers.user_queryset(request.scim_organization),
        filters.user_filter,
        serializers.user_resource,
        resources.User,
    )


@scim_endpoint("POST")
def groups_search(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        serializers.group_queryset(request.scim_organization),
        filters.group_filter,
        serializers.group_resource,
        resources.Group,
    )


@scim_endpoint("GET", "POST")
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        resource = resources.User.model_validate(
            resources.user_payload_complete(read_payload(request)),
            scim_ctx=Context.RESOURCE_CREATION_REQUEST,
            scim_policy=resources.POLICY,
        )
        membership = services.scim_user_create(
            organization=request.scim_organization,
            resource=resource,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        return _one(request, _membership(request, membership.pk), status=201)
    return _list(
        request,
        serializers.user_queryset(request.scim_organization),
        filters.user_filter,
        serializers.user_resource,
        resources.User,
    )


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, resource_id: str) -> HttpResponse:
    membership = _membership(request, resource_id)
    current = serializers.user_resource(membership, request.scim_base_url)
    if request.method == "GET":
        return _one(request, membership)
    check_version(request, current.meta.version)
    if request.method == "DELETE":
        services.scim_user_delete(membership=membership)
        return HttpResponse(status=204)
    if request.method == "PUT":
        after = resources.User.model_validate(
            resources.user_payload_complete(read_payload(request)),
            scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
            scim_policy=resources.POLICY,
        )
    else:
        after = _patched(request, current, resources.User)
    services.scim_user_update(membership=membership, before=current, after=after)
    return _one(request, _membership(request, membership.pk))


@scim_endpoint("GET", "POST")
def groups(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        resource = resources.Group.model_validate(
            read_payload(request),
            scim_ctx=Context.RESOURCE_CREATION_REQUEST,
            scim_policy=resources.POLICY,
        )
        group = services.scim_group_create(
            organization=request.scim_organization, resource=resource
        )
        return _one(request, _group(request, group.pk), status=201)
    return _list(
        request,
        serializers.group_queryset(request.scim_organization),
        filters.group_filter,
        serializers.group_resource,
        resources.Group,
    )


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def group(request: HttpRequest, resource_id: str) -> HttpResponse:
    row = _group(request, resource_id)
    current = serializers.group_resource(row, request.scim_base_url)
    if request.method == "GET":
        return _one(request, row)
    check_version(request, current.meta.version)
    if request.method == "DELETE":
        services.scim_group_delete(group=row)
        return HttpResponse(status=204)
    if request.method == "PUT":
        after = resources.Group.model_validate(
            read_payload(request),
            scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
            scim_policy=resources.POLICY,
        )
    else:
        after = _patched(request, current, resources.Group)
    services.scim_group_update(group=row, before=current, after=after)
    return _one(request, _group(request, row.pk))


def _membership(request: HttpRequest, resource_id):
    return get_object_or_404(
        serializers.user_queryset(request.scim_organization), pk=_pk(resource_id)
    )


def _group(request: HttpRequest, resource_id):
    return get_object_or_404(
        serializers.group_queryset(request.scim_organization), pk=_pk(resource_id)
    )


def _pk(resource_id) -> int:
    try:
        pk = int(resource_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def _one(request: HttpRequest, row, status: int = 200) -> HttpResponse:
    if isinstance(row, serializers.Group):
        resource = serializers.group_resource(row, request.scim_base_url)
    else:
        resource = serializers.user_resource(row, request.scim_base_url)
    parameters = search_request(request) if request.method == "GET" else None
    data = serializers.dump(resource, response_parameters=parameters)
    return scim_response(
        data,
        status=status,
        ETag=resource.meta.version,
        Location=resource.meta.location if status == 201 else None,
    )


def _list(request, rows, to_filter, to_resource, model) -> HttpResponse:
    search = search_request(request)
    if search.filter:
        rows = rows.filter(to_filter(str(search.filter))).distinct()
    total = rows.count()
    start = search.start_index or 1
    count = resources.MAX_RESULTS if search.count is None else search.count
    count = min(count, resources.MAX_RESULTS)
    page = list(rows[start - 1 : start - 1 + count]) if count else []
    listing = ListResponse[model](
        total_results=total,
        start_index=start,
        items_per_page=len(page),
        resources=[to_resource(row, request.scim_base_url) for row in page] or None,
    )
    data = listing.model_dump(
        scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search
    )
    data.setdefault("Resources", [])
    return scim_response(data)


def _patched(request: HttpRequest, current, model):
    """The resource as the PATCH leaves it (not saved yet). Writes to
    `emails`, which repeat the account's email, are accepted and ignored:
    Entra ID sends `emails[type eq "work"].value` with its updates."""
    payload = read_payload(request)
    operations = payload.get("Operations")
    if isinstance(operations, list) and model is resources.User:
        payload["Operations"] = [
            kept for operation in operations if (kept := _without_emails(operation))
        ] or operations[:0]
        if not payload["Operations"]:
            return current.model_copy(deep=True)
    patch = PatchOp[model].model_validate(
        payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=resources.POLICY
    )
    after = current.model_copy(deep=True)
    patch.patch(after, scim_policy=resources.POLICY)
    return after


def _without_emails(operation):
    if not isinstance(operation, dict):
        return operation
    path = operation.get("path")
    if isinstance(path, str) and path.lower().startswith("emails"):
        return None
    value = operation.get("value")
    if path is None and isinstance(value, dict):
        value = {k: v for k, v in value.items() if not k.lower().startswith("emails")}
        if not value:
            return None
        return {**operation, "value": value}
    return operation
