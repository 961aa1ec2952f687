"""Errors as RFC 9457 problem details (`application/problem+json`): a
title per status, a detail in the person's words."""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from ninja import Schema

MEDIA_TYPE = "application/problem+json"


class ProblemOut(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    # Per field, for a request the schema refuses (422).
    errors: list[dict] | None = None


class ApiProblem(Exception):
    """A refusal with its status and a detail for the person acting."""

    def __init__(self, status: int, detail: str, *, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def problem_response(
    api,
    request: HttpRequest,
    *,
    status: int,
    detail: str,
    errors: list[dict] | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    problem = ProblemOut(
        title=HTTPStatus(status).phrase, status=status, detail=detail, errors=errors
    )
    response = api.create_response(
        request, problem.model_dump(exclude_none=True), status=status
    )
    response["Content-Type"] = MEDIA_TYPE
    for name, value in (headers or {}).items():
        response[name] = value
    return response
