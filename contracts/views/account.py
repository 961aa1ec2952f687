"""The contract manager's account pages: their contracts, plan usage, the
connection key ("Add members"), the seats held, freeing one, the history.

Only managers of a contract reach its pages: anyone else gets 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import HtmxHttpRequest
from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.models import Contract, Seat, SeatSource
from contracts.pagination import CappedPaginator

SEATS_PER_PAGE = 50
EVENTS_PER_PAGE = 20


@login_required
@require_GET
def contract_list(request: HtmxHttpRequest) -> HttpResponse:
    contracts = list(selectors.contract_list_managed(user=request.user))
    overview = selectors.plan_overview(contracts=contracts)
    return render(
        request,
        "contracts/account_contract_list.html",
        {
            "contracts": [
                (contract, overview.get(contract.pk, [])) for contract in contracts
            ],
        },
    )


@login_required
@require_GET
def contract_detail(request: HtmxHttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get_managed(
        user=request.user, contract_id=contract_id
    )
    template = "contracts/account_contract_detail.html"
    query = request.GET.get("q", "")[:100]
    context = {"contract": contract, "query": query}
    # The seat search and each list's page links swap their list only.
    if request.htmx.target != "history":
        # Seats and history grow with the contract: counted up to a limit.
        context["seats"] = CappedPaginator(
            selectors.seat_list(contract=contract, query=query), SEATS_PER_PAGE
        ).get_page(request.GET.get("page"))
        if request.htmx.target == "seat-results":
            return render(request, f"{template}#seat-results", context)
    context["history"] = CappedPaginator(
        selectors.event_list(contract=contract), EVENTS_PER_PAGE
    ).get_page(request.GET.get("history_page"))
    if request.htmx.target == "history":
        return render(request, f"{template}#history", context)
    context["overview"] = selectors.plan_overview(contracts=[contract])[contract.pk]
    return render(request, template, context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def key_generate(request: HtmxHttpRequest, contract_id: int) -> HttpResponse:
    """ "Add members": generate the connection key, shown in full in this
    response only (never cached, never stored: only its digest is kept).

    GET is the page behind the dialog, for browsers without JavaScript.
    """
    contract = selectors.contract_get_managed(
        user=request.user, contract_id=contract_id
    )
    template = "contracts/account_contract_key.html"
    context = {
        "contract": contract,
        "key": _latest_key(contract),
        "in_dialog": request.POST.get("in_dialog") == "1",
    }
    if request.method == "GET":
        if request.htmx:
            # The dialog opens: its panel, as things stand now.
            context["in_dialog"] = True
            return render(request, f"{template}#key-panel", context)
        return render(request, template, context)
    try:
        key, plaintext = services.connection_key_generate(
            contract=contract, actor=request.user
        )
    except ContractError as error:
        context["key_error"] = str(error)
        status = 409
    else:
        context.update({"key": key, "plaintext": plaintext})
        status = 200
    if request.htmx:
        # The dialog's panel, and the key's summary on the page behind it.
        return render(request, f"{template}#key-generated", context, status=status)
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def seat_release(
    request: HtmxHttpRequest, contract_id: int, seat_id: int
) -> HttpResponse:
    """Free a seat: confirm (GET, a page, or the dialog's content with htmx,
    naming the member's surveys that would go inactive) and free (POST).
    Works whether the contract is connected or not: after a disconnection,
    this is how seats are freed."""
    contract = selectors.contract_get_managed(
        user=request.user, contract_id=contract_id
    )
    url = contract.get_absolute_url()
    if request.method == "POST":
        _seat_release_post(request, contract, seat_id)
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
    seat = selectors.seat_get(contract=contract, seat_id=seat_id)
    template = "contracts/seat_release.html"
    if request.htmx:
        template += "#seat-release-confirm"
    return render(
        request,
        template,
        {
            "contract": contract,
            "seat": seat,
            "deactivated": selectors.seat_release_preview(seat=seat),
            "in_dialog": bool(request.htmx),
        },
    )


def _seat_release_post(
    request: HtmxHttpRequest, contract: Contract, seat_id: int
) -> None:
    seat = Seat.objects.filter(contract=contract, pk=seat_id).first()
    if seat is None:
        # Sent twice: the first one freed it.
        messages.info(request, _("This seat is already free."))
        return
    services.seat_release(seat=seat, actor=request.user, source=SeatSource.MANUAL)
    messages.success(
        request,
        _("%(member)s’s %(plan)s plan is free again.")
        % {"member": seat.user.display_name, "plan": seat.plan.display_name},
    )


def _latest_key(contract: Contract):
    latest = getattr(contract, "latest_keys", None)
    if latest is not None:
        return latest[0] if latest else None
    return selectors.connection_key_latest(contract=contract)
