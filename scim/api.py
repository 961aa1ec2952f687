"""The SCIM 2.0 endpoints (RFC 7644) of an organization, found by its
bearer token. Requests and responses are read and written by scim2-models;
writes go through scim.services. No session, no CSRF: a directory
authenticates every request with its token."""

import functools
import json
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    InvalidSyntaxException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    PreconditionFailedException,
    ResourceType,
    Schema,
    SCIMException,
    SearchRequest,
)

from scim import resources, services

CONTENT_TYPE = "application/scim+json"
# Failed authentications a client address may make, in django-ratelimit's
# "count/period" form, counted in the shared cache.
FAILURE_RATE = "30/m"


def scim_response(data: dict | None, status: int = 200, **headers) -> HttpResponse:
    body = "" if data is None else json.dumps(data, default=str)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        if value:
            response.headers[name.replace("_", "-")] = value
    return response


def error_response(
    status: int, detail: str, scim_type: str | None = None, **headers
) -> HttpResponse:
    error = Error(status=status, scim_type=scim_type, detail=detail)
    return scim_response(error.model_dump(), status=status, **headers)


def _exception_response(error: SCIMException) -> HttpResponse:
    scim_error = error.to_error()
    return scim_response(scim_error.model_dump(), status=scim_error.status or 400)


def _validation_response(error: ValidationError) -> HttpResponse:
    scim_error = Error.from_validation_errors(error)[0]
    return scim_response(scim_error.model_dump(), status=scim_error.status or 400)


def _authenticate(request: HttpRequest):
    """The request's token, or the error response that refuses it."""
    rate = getattr(settings, "SCIM_AUTH_FAILURE_RATE", FAILURE_RATE)
    usage = get_usage(
        request, group="scim.auth.client", key="ip", rate=rate, increment=False
    )
    if usage and usage["should_limit"]:
        return None, error_response(429, "Too many failed authentications.")
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    token = None
    if scheme.lower() == "bearer":
        token = services.scim_token_authenticate(plaintext=credentials.strip())
    if token is None:
        failures = get_usage(
            request, group="scim.auth.client", key="ip", rate=rate, increment=True
        )
        if failures and failures["should_limit"]:
            return None, error_response(429, "Too many failed authentications.")
        return None, error_response(
            401,
            "A valid bearer token is required.",
            WWW_Authenticate='Bearer realm="SCIM"',
        )
    return token, None


def scim_endpoint(*methods: str) -> Callable:
    """Authenticate the token, refuse other methods with 405, and turn
    errors into SCIM errors."""

    def decorator(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            token, refusal = _authenticate(request)
            if refusal is not None:
                return refusal
            if request.method not in methods:
                return error_response(
                    405,
                    f"{request.method} is not allowed here.",
                    Allow=", ".join(methods),
                )
            request.scim_organization = token.organization
            request.scim_base_url = request.build_absolute_uri(
                reverse("scim:root")
            ).rstrip("/")
            try:
                return view(request, *args, **kwargs)
            except (Http404, NotFoundException):
                return error_response(404, "No such resource.")
            except SCIMException as error:
                return _exception_response(error)
            except ValidationError as error:
                return _validation_response(error)

        return wrapper

    return decorator


def read_payload(request: HttpRequest) -> dict:
    try:
        payload = json.loads(request.body or b"null")
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not isinstance(payload, dict):
        raise _syntax("The body is not a JSON object.")
    return payload


def _syntax(detail: str) -> SCIMException:
    return InvalidSyntaxException(detail=detail)


def search_request(request: HttpRequest) -> SearchRequest:
    """The query's parameters, or a POST …/.search body (RFC 7644 §3.4.3)."""
    if request.method == "POST":
        return SearchRequest.model_validate(
            read_payload(request), scim_ctx=Context.SEARCH_REQUEST
        )
    params = {}
    for key in ("filter", "startIndex", "count", "sortBy", "sortOrder"):
        if key in request.GET:
            params[key] = request.GET[key]
    for key in ("attributes", "excludedAttributes"):
        if request.GET.get(key):
            params[key] = [part.strip() for part in request.GET[key].split(",")]
    return SearchRequest.model_validate(params, scim_ctx=Context.SEARCH_REQUEST)


def check_version(request: HttpRequest, current: str | None) -> None:
    """Refuse a write whose If-Match names another version (412)."""
    wanted = request.headers.get("If-Match")
    if not wanted or wanted.strip() == "*":
        return
    versions = {part.strip() for part in wanted.split(",")}
    if current not in versions and current.removeprefix("W/") not in versions:
        raise PreconditionFailedException(detail="The resource has changed.")


@scim_endpoint("GET")
def root(request: HttpRequest) -> HttpResponse:
    return error_response(404, "See /ServiceProviderConfig, /Users and /Groups.")


@scim_endpoint("GET")
def service_provider_config(request: HttpRequest) -> HttpResponse:
    config = resources.provider(request.scim_base_url).config
    data = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    data["meta"] = {
        "resourceType": "ServiceProviderConfig",
        "location": f"{request.scim_base_url}/ServiceProviderConfig",
    }
    return scim_response(data)


def _described(request, items, name, location) -> list[dict]:
    dumped = []
    for item in items:
        data = item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        data["meta"] = {
            "resourceType": name,
            "location": f"{request.scim_base_url}/{name}s/{location(item)}",
        }
        dumped.append(data)
    return dumped


@scim_endpoint("GET")
def resource_types(request: HttpRequest, name: str = "") -> HttpResponse:
    types = resources.provider(request.scim_base_url).resource_types
    return _discovery(request, types, "ResourceType", name, lambda item: item.id)


@scim_endpoint("GET")
def schemas(request: HttpRequest, name: str = "") -> HttpResponse:
    items = resources.provider(request.scim_base_url).schemas
    return _discovery(request, items, "Schema", name, lambda item: item.id)


def _discovery(request, items, kind, name, key) -> HttpResponse:
    dumped = _described(request, items, kind, key)
    if name:
        for item, data in zip(items, dumped, strict=True):
            if str(key(item)).lower() == name.lower():
                return scim_response(data)
        return error_response(404, f"No such {kind}.")
    model = ResourceType if kind == "ResourceType" else Schema
    listing = ListResponse[model](
        total_results=len(dumped), start_index=1, items_per_page=len(dumped)
    ).model_dump(scim_ctx=Context.SEARCH_RESPONSE)
    listing["Resources"] = dumped
    return scim_response(listing)


@scim_endpoint("POST")
def search_all(request: HttpRequest) -> HttpResponse:
    raise NotImplementedException(
        detail="Search /Users/.search or /Groups/.search, one type at a time."
    )


@scim_endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "No such endpoint.")
