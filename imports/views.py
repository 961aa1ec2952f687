"""The CSV import of members, for the organization's administrators: the
upload with the imports so far, the dry run to confirm, the progress of the
run (polled by htmx), the report and the template to download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import HtmxHttpRequest
from config.exports import csv_streaming_response, spreadsheet_safe
from contracts.views._common import administrator_get, redirect_after_post
from imports import selectors, services
from imports.forms import MemberImportForm
from imports.models import ImportStatus, LineOutcome
from imports.rows import MAX_BYTES, ImportFileError, template_csv


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """Upload a file (its dry run follows), with the imports made so far."""
    membership = administrator_get(request, organization_id)
    form = MemberImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                member_import = services.member_import_create(
                    organization=membership.organization,
                    actor=request.user,
                    # No more than one byte past the limit is read: a
                    # larger file is refused without being held in memory.
                    data=form.cleaned_data["file"].read(MAX_BYTES + 1),
                    file_name=form.cleaned_data["file"].name,
                    base_url=request.build_absolute_uri("/").rstrip("/"),
                    send_invitations=form.cleaned_data["send_invitations"],
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect(member_import)
        status = 422
    imports = selectors.member_import_list(organization=membership.organization)
    context = {"organization": membership.organization, "membership": membership}
    context["form"] = form
    context["imports"] = imports.defer("content", "dry_run")[:50]
    return render(request, "imports/import_new.html", context, status=status)


@login_required
@require_GET
def import_template(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    administrator_get(request, organization_id)
    response = HttpResponse("\ufeff" + template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="members-template.csv"'
    return response


@login_required
@require_GET
def import_detail(
    request: HtmxHttpRequest, organization_id: int, import_id: int
) -> HttpResponse:
    """The dry run while the import waits for confirmation, then its
    progress; htmx polls the progress fragment until the import ends."""
    membership = administrator_get(request, organization_id)
    member_import = selectors.member_import_get(
        organization=membership.organization, import_id=import_id
    )
    context = {
        "organization": membership.organization,
        "membership": membership,
        "member_import": member_import,
        "check": member_import.dry_run,
        "seats": selectors.member_import_seats(member_import=member_import),
        "checked": member_import.status == ImportStatus.CHECKED,
    }
    template = "imports/import_detail.html"
    if request.htmx and not context["checked"]:
        template += "#progress"
    return render(request, template, context)


@login_required
@require_POST
def import_confirm(
    request: HtmxHttpRequest, organization_id: int, import_id: int
) -> HttpResponse:
    membership = administrator_get(request, organization_id)
    member_import = selectors.member_import_get(
        organization=membership.organization, import_id=import_id
    )
    if services.member_import_confirm(member_import=member_import, actor=request.user):
        messages.success(request, _("The import has started."))
    return redirect_after_post(request, member_import.get_absolute_url())


@login_required
@require_GET
def import_report(
    request: HtmxHttpRequest, organization_id: int, import_id: int
) -> HttpResponse:
    """Each line of a run import: line, email, outcome, message."""
    membership = administrator_get(request, organization_id)
    member_import = selectors.member_import_get(
        organization=membership.organization, import_id=import_id
    )
    labels = {value: str(label) for value, label in LineOutcome.choices}
    lines = selectors.member_import_report_lines(member_import=member_import)
    header = [[_("line"), _("email"), _("outcome"), _("message")]]
    rows = (
        [number, spreadsheet_safe(email), labels[outcome], spreadsheet_safe(message)]
        for number, email, outcome, message in lines
    )
    return csv_streaming_response(
        _chain(header, rows), filename=f"import-{member_import.pk}-report.csv"
    )


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable
