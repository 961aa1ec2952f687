"""The REST API at /api/v1/: django-ninja, with personal API tokens, errors
as problem details (RFC 9457), OpenAPI at /api/v1/openapi.json and Swagger UI
at /api/v1/docs (ninja's template loads its script from static files, with
no inline script: the content security policy allows it)."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from api.auth import TokenAuth
from api.endpoints import contract, member_plans, organizations
from api.problems import MEDIA_TYPE, ApiProblem, problem_response


class SeatsApi(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """The endpoint's function name: `member_plan_set`, not the
        module's path before it."""
        return operation.view_func.__name__

    def get_openapi_schema(self, *args, **kwargs):
        """Refusals are documented as `application/problem+json`, the media
        type they are sent with."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[MEDIA_TYPE] = content.pop("application/json")
        return schema


api = SeatsApi(
    title="Seats API",
    version="1",
    description=(
        "Organizations, members and their plans, the contract and its "
        "history. Authenticate with a personal API token from your account "
        "page: `Authorization: Bearer <token>`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs=Swagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", organizations.router)
api.add_router("", member_plans.router)
api.add_router("", contract.router)


@api.exception_handler(ApiProblem)
def _problem(request: HttpRequest, exc: ApiProblem):
    return problem_response(
        api, request, status=exc.status, detail=exc.detail, headers=exc.headers
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return problem_response(
        api,
        request,
        status=401,
        detail=_("A valid API token is needed: Authorization: Bearer <token>."),
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return problem_response(
        api, request, status=404, detail=_("There is no such object, or not for you.")
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError):
    return problem_response(
        api,
        request,
        status=422,
        detail=_("The request is not valid: see errors."),
        errors=exc.errors,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return problem_response(api, request, status=exc.status_code, detail=str(exc))
