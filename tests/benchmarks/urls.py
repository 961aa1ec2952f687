from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from config.urls import urlpatterns as project_urlpatterns


@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    """The baseline: the base layout for an anonymous visitor, no query."""
    return render(request, "_base.html")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *project_urlpatterns]
