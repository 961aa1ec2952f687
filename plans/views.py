from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from plans import selectors


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    """Plans & Pricing: the catalogue as a comparison table, public."""
    plans = selectors.plan_catalog()
    return render(
        request,
        "plans/plan_list.html",
        {"plans": plans, "features": selectors.feature_matrix(plans)},
    )
