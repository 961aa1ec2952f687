"""Support staff's tools. Every change with rules goes through the services,
as in the app: connecting, disconnecting, keys, seats (given "by support")
and allotments, which may not drop below the seats in use. Keys, history
and plan requests are read-only.

The organizations app's admin is replaced here for organizations and
memberships: deleting them spans the contracts app's rules (a member who
leaves frees their seat, an organization's contract is disconnected), and
`organizations` may not import `contracts`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from config.dates import date_format
from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.models import (
    Allotment,
    ConnectionKey,
    Contract,
    Event,
    GroupPlan,
    PlanRequest,
    Seat,
    SeatSource,
)
from contracts.selectors.members import seat_how
from organizations import admin as organizations_admin
from organizations.models import Group, Membership, Organization
from organizations.services import MembershipError

# Deleting through the services


class DeleteThroughServices:
    """Deletion, one object or the bulk action, through a service that may
    refuse it: a refusal is shown as an error message, never a 500, and no
    "deleted" message or log entry is left for what was not deleted."""

    refusals = (ContractError, MembershipError)
    actions = ["delete_selected"]

    def delete_through_services(self, request, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        try:
            self.delete_through_services(request, obj)
        except self.refusals as error:
            # The delete view runs in one transaction: its log entry of a
            # deletion that did not happen goes with it.
            transaction.set_rollback(True)
            request._deletion_refused = str(error)

    def response_delete(self, request, obj_display, obj_id):
        refusal = getattr(request, "_deletion_refused", None)
        if refusal is None:
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(request, refusal, messages.ERROR)
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[obj_id],
            )
        )

    def delete_queryset(self, request, queryset):
        return self._delete_each(request, queryset)

    @admin.action(
        permissions=["delete"],
        description=_("Delete selected %(verbose_name_plural)s"),
    )
    def delete_selected(self, request, queryset):
        """Django's own action for the confirmation page and its checks
        (permissions, protected objects); the deletion itself, once
        confirmed, goes through the services one object at a time."""
        if request.POST.get("post"):
            _objects, _count, perms_needed, protected = self.get_deleted_objects(
                queryset, request
            )
            if not perms_needed and not protected:
                deleted = self._delete_each(request, queryset)
                if deleted:
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)d %(name)s was deleted.",
                            "%(count)d %(name)s were deleted.",
                            deleted,
                        )
                        % {
                            "count": deleted,
                            "name": (
                                self.opts.verbose_name
                                if deleted == 1
                                else self.opts.verbose_name_plural
                            ),
                        },
                        messages.SUCCESS,
                    )
                return None
        return django_delete_selected(self, request, queryset)

    def _delete_each(self, request, queryset) -> int:
        deleted = 0
        for obj in queryset:
            try:
                with transaction.atomic():
                    self.log_deletions(request, [obj])
                    self.delete_through_services(request, obj)
            except self.refusals as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                deleted += 1
        return deleted


# Contracts and their allotments


class AllotmentForm(forms.ModelForm):
    class Meta:
        model = Allotment
        fields = ["plan", "seats"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A plan's seats move with the plan: change the number, or delete the
        # row and add another plan.
        if self.instance.pk:
            self.fields["plan"].disabled = True


class AllotmentFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        contract = self.instance
        if contract.pk is None:
            return
        errors = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("plan") is None:
                continue
            seats = 0 if self._should_delete_form(form) else data.get("seats")
            if seats is None:
                continue
            try:
                services.allotment_check(
                    contract=contract, plan=data["plan"], seats=seats
                )
            except ContractError as error:
                errors.append(str(error))
        if errors:
            raise ValidationError(errors)


class AllotmentInline(admin.TabularInline):
    model = Allotment
    form = AllotmentForm
    formset = AllotmentFormSet
    extra = 1
    fields = ["plan", "seats", "in_use"]
    readonly_fields = ["in_use"]

    def get_queryset(self, request):
        in_use = (
            Seat.objects.filter(contract=OuterRef("contract"), plan=OuterRef("plan"))
            .order_by()
            .values("contract")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("plan")
            .annotate(in_use=Coalesce(Subquery(in_use), 0))
            .order_by("plan__rank")
        )

    @admin.display(description=_("in use"))
    def in_use(self, obj):
        return getattr(obj, "in_use", 0) if obj.pk else "—"


class ContractStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("active", _("in force")),
            ("upcoming", _("not started")),
            ("ended", _("ended")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "active":
                return queryset.active()
            case "upcoming":
                return queryset.filter(starts_on__gt=today)
            case "ended":
                return queryset.filter(ends_on__lt=today)
        return queryset


class ConnectedFilter(admin.SimpleListFilter):
    title = _("connected")
    parameter_name = "connected"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(organization__isnull=False)
        if self.value() == "no":
            return queryset.filter(organization__isnull=True)
        return queryset


class ExtendForm(forms.Form):
    ends_on = forms.DateField(label=_("New end date"), widget=AdminDateWidget)


class ConnectForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.all(),
        widget=AutocompleteSelect(Contract._meta.get_field("organization"), admin.site),
    )


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "customer",
        "starts_on",
        "ends_on",
        "organization",
        "auto_assign",
    ]
    list_filter = [ContractStatusFilter, ConnectedFilter, "auto_assign"]
    list_select_related = ["organization"]
    search_fields = ["reference", "customer", "organization__name", "managers__email"]
    date_hierarchy = "ends_on"
    autocomplete_fields = ["managers"]
    fields = [
        "reference",
        "customer",
        "starts_on",
        "ends_on",
        "managers",
        "organization",
        "connected_at",
        "auto_assign",
        "created_at",
    ]
    # Connecting, automatic assignment and the end date (once the contract
    # exists) have rules: the buttons of the change page call the services.
    readonly_fields = ["organization", "connected_at", "auto_assign", "created_at"]
    inlines = [AllotmentInline]
    # The contract's own page is its managers' (others get 404).
    view_on_site = False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "ends_on"]
        return self.readonly_fields

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "<int:object_id>/extend/",
                wrap(self.extend_view),
                name="contracts_contract_extend",
            ),
            path(
                "<int:object_id>/connect/",
                wrap(self.connect_view),
                name="contracts_contract_connect",
            ),
            path(
                "<int:object_id>/disconnect/",
                wrap(self.disconnect_view),
                name="contracts_contract_disconnect",
            ),
            path(
                "<int:object_id>/key/",
                wrap(self.key_view),
                name="contracts_contract_key",
            ),
            *super().get_urls(),
        ]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Allotment:
            return super().save_formset(request, form, formset, change)
        contract = form.instance
        # Checked by the formset already; checked again here under locks.
        # The lists are those the admin's change message reads.
        formset.new_objects, formset.changed_objects = [], []
        formset.deleted_objects = []
        try:
            for deleted in formset.deleted_forms:
                if deleted.instance.pk:
                    services.allotment_delete(
                        allotment=deleted.instance,
                        actor=request.user,
                        source=SeatSource.SUPPORT,
                    )
                    formset.deleted_objects.append(deleted.instance)
            for allotment_form in formset.forms:
                if (
                    allotment_form in formset.deleted_forms
                    or not allotment_form.has_changed()
                    or not allotment_form.cleaned_data
                ):
                    continue
                allotment = services.allotment_set(
                    contract=contract,
                    plan=allotment_form.cleaned_data["plan"],
                    seats=allotment_form.cleaned_data["seats"],
                    actor=request.user,
                    source=SeatSource.SUPPORT,
                )
                if allotment_form.instance.pk:
                    formset.changed_objects.append(
                        (allotment, allotment_form.changed_data)
                    )
                else:
                    formset.new_objects.append(allotment)
        except ContractError as error:
            self.message_user(request, str(error), messages.ERROR)

    def extend_view(self, request, object_id):
        contract = self._contract_for_change(request, object_id)
        form = ExtendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.contract_extend(
                    contract=contract,
                    ends_on=form.cleaned_data["ends_on"],
                    actor=request.user,
                    source=SeatSource.SUPPORT,
                )
            except (ContractError, ValidationError) as error:
                reasons = getattr(error, "messages", [str(error)])
                form.add_error("ends_on", " ".join(reasons))
            else:
                self.message_user(
                    request,
                    gettext("Contract %(reference)s now ends on %(date)s.")
                    % {
                        "reference": contract.reference,
                        "date": date_format(form.cleaned_data["ends_on"]),
                    },
                    messages.SUCCESS,
                )
                return self._back_to_change(contract)
        return self._render(
            request,
            contract,
            "admin/contracts/contract/extend.html",
            title=gettext("Extend %(reference)s") % {"reference": contract.reference},
            form=form,
            media=self.media + form.media,
        )

    def connect_view(self, request, object_id):
        contract = self._contract_for_change(request, object_id)
        form = ConnectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.contract_connect(
                    organization=form.cleaned_data["organization"],
                    contract=contract,
                    actor=request.user,
                )
            except ContractError as error:
                form.add_error("organization", str(error))
            else:
                self.message_user(
                    request,
                    gettext("Contract %(reference)s is connected to %(organization)s.")
                    % {
                        "reference": contract.reference,
                        "organization": form.cleaned_data["organization"].name,
                    },
                    messages.SUCCESS,
                )
                return self._back_to_change(contract)
        return self._render(
            request,
            contract,
            "admin/contracts/contract/connect.html",
            title=gettext("Connect %(reference)s") % {"reference": contract.reference},
            form=form,
            media=self.media + form.media,
        )

    def disconnect_view(self, request, object_id):
        contract = self._contract_for_change(request, object_id)
        if contract.organization is None:
            self.message_user(
                request, gettext("This contract is not connected."), messages.WARNING
            )
            return self._back_to_change(contract)
        if request.method == "POST":
            organization = contract.organization
            try:
                services.contract_disconnect(
                    organization=organization, actor=request.user
                )
            except ContractError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("Contract %(reference)s is disconnected from %(name)s.")
                    % {"reference": contract.reference, "name": organization.name},
                    messages.SUCCESS,
                )
            return self._back_to_change(contract)
        return self._render(
            request,
            contract,
            "admin/contracts/contract/disconnect.html",
            title=gettext("Disconnect %(reference)s")
            % {"reference": contract.reference},
        )

    def key_view(self, request, object_id):
        """Generate a key. The key is shown in this response only: not
        through the messages framework, whose storage is the session or a
        cookie."""
        contract = self._contract_for_change(request, object_id)
        context = {
            "title": gettext("Connection key for %(reference)s")
            % {"reference": contract.reference},
            "latest_key": contract.keys.order_by("-created_at", "-pk").first(),
        }
        if request.method == "POST":
            try:
                key, plaintext = services.connection_key_generate(
                    contract=contract, actor=request.user
                )
            except ContractError as error:
                self.message_user(request, str(error), messages.ERROR)
                return self._back_to_change(contract)
            context.update({"key": key, "plaintext": plaintext})
        response = self._render(
            request, contract, "admin/contracts/contract/key.html", **context
        )
        add_never_cache_headers(response)
        return response

    def _contract_for_change(self, request, object_id):
        contract = get_object_or_404(
            Contract.objects.select_related("organization"), pk=object_id
        )
        if not self.has_change_permission(request, contract):
            raise PermissionDenied
        return contract

    def _back_to_change(self, contract):
        return HttpResponseRedirect(
            reverse("admin:contracts_contract_change", args=[contract.pk])
        )

    def _render(self, request, contract, template, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": contract,
                "contract": contract,
                **context,
            },
        )


# Seats


class SeatForm(forms.ModelForm):
    """A seat given or moved by support, with the app's checks; a move to a
    lower plan that would make the member's surveys inactive asks for
    confirmation first, naming them, as the member's page does."""

    confirm_inactive = forms.BooleanField(
        label=_("Make these surveys inactive"),
        required=False,
        help_text=_(
            "Asked only when the new plan makes some of the member's surveys inactive."
        ),
    )

    class Meta:
        model = Seat
        fields = ["contract", "user", "plan"]

    def clean(self):
        cleaned = super().clean()
        contract = cleaned.get("contract") or getattr(self.instance, "contract", None)
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        plan = cleaned.get("plan")
        if contract is not None and user is not None and plan is not None:
            try:
                services.seat_put_check(contract=contract, user=user, plan=plan)
            except ContractError as error:
                raise ValidationError(str(error)) from None
        if self.instance.pk and plan is not None and not cleaned["confirm_inactive"]:
            deactivated = selectors.seat_change_preview(seat=self.instance, plan=plan)
            if deactivated:
                self.add_error("confirm_inactive", _surveys_sentence(deactivated))
        return cleaned


def _surveys_sentence(deactivated: list) -> str:
    surveys = ", ".join(
        ngettext(
            "%(title)s (%(count)d response)",
            "%(title)s (%(count)d responses)",
            survey.response_count,
        )
        % {"title": survey.title, "count": survey.response_count}
        for survey in deactivated
    )
    return ngettext(
        "This survey becomes inactive: %(surveys)s. Tick the box to go on.",
        "These surveys become inactive: %(surveys)s. Tick the box to go on.",
        len(deactivated),
    ) % {"surveys": surveys}


def _impacts(seats) -> list[tuple[Seat, list]]:
    """Each seat about to be freed with the member's surveys that would go
    inactive, for the confirmation pages (`admin/contracts/seat/_impacts.html`)."""
    return [(seat, selectors.seat_release_preview(seat=seat)) for seat in seats]


class SeatOrganizationFilter(admin.SimpleListFilter):
    """Organizations can be many: the filter lists the ten with the most
    seats and the one chosen (an organization's admin page links here);
    any other is found through the search box, which searches their
    names."""

    title = _("organization")
    parameter_name = "organization"
    listed = 10

    def lookups(self, request, model_admin):
        organizations = Organization.objects.filter(contract__isnull=False)
        top = (
            organizations.annotate(seat_count=Count("contract__seats"))
            .filter(seat_count__gt=0)
            .order_by("-seat_count", "name")[: self.listed]
        )
        chosen = organizations.filter(pk=self._chosen())
        found = {org.pk: org.name for org in [*chosen, *top]}
        return sorted(found.items(), key=lambda item: item[1].casefold())

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(contract__organization_id=self._chosen())

    def _chosen(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isdigit() else None


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    """Seats given, moved and freed by support, through the services, so
    the allotments hold and the history says "by support". Freeing shows
    first which of each member's surveys go inactive, as the app does."""

    form = SeatForm
    actions = ["release_seats"]
    list_display = [
        "user",
        "contract",
        "organization",
        "plan",
        "how",
        "assigned_at",
    ]
    list_filter = [SeatOrganizationFilter, "plan", "source", "feature"]
    list_select_related = ["user", "contract__organization", "plan", "assigned_by"]
    search_fields = [
        "user__email",
        "user__full_name",
        "contract__reference",
        "contract__organization__name",
    ]
    autocomplete_fields = ["contract", "user"]
    date_hierarchy = "assigned_at"
    readonly_fields = ["source", "feature", "assigned_by", "assigned_at"]

    @admin.display(description=_("organization"), ordering="contract__organization")
    def organization(self, obj):
        return obj.contract.organization or "—"

    @admin.display(description=_("how assigned"))
    def how(self, obj):
        return seat_how(
            source=obj.source,
            feature=obj.feature,
            by=obj.assigned_by.display_name if obj.assigned_by else None,
        )

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        # Freeing has its own confirmation, which names the surveys that go
        # inactive; Django's deletion page would not.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def get_fields(self, request, obj=None):
        fields = ["contract", "user", "plan", *self.readonly_fields]
        if obj is not None:
            fields.insert(3, "confirm_inactive")
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["contract", "user", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            seat = services.seat_put(
                contract=obj.contract,
                user=obj.user,
                plan=obj.plan,
                actor=request.user,
                source=SeatSource.SUPPORT,
            )
        except ContractError as error:
            # Taken meanwhile: the form's check passed, the locked one not.
            request._seat_refused = True
            self.message_user(request, str(error), messages.ERROR)
        else:
            obj.pk = seat.pk

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_seat_refused", False):
            return HttpResponseRedirect(reverse("admin:contracts_seat_add"))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "_seat_refused", False):
            return HttpResponseRedirect(
                reverse("admin:contracts_seat_change", args=[obj.pk])
            )
        return super().response_change(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        seat = self.get_object(request, object_id)
        if seat is not None:
            extra_context = {
                **(extra_context or {}),
                "impacts": _impacts([seat]),
            }
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.seat_release(seat=obj, actor=request.user, source=SeatSource.SUPPORT)

    @admin.action(
        permissions=["delete"],
        description=_("Free the selected seats"),
        location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
    )
    def release_seats(self, request, queryset):
        """What deleting does, under the name support staff look for: a
        confirmation page first lists each member's surveys that would go
        inactive (as the app's dialogs do); once confirmed, each seat is
        freed through the service, the member emailed, the history saying
        "by support"."""
        seats = list(queryset.select_related("contract__organization", "user", "plan"))
        if not request.POST.get("post"):
            return self._release_confirmation(request, seats)
        for seat in seats:
            services.seat_release(
                seat=seat, actor=request.user, source=SeatSource.SUPPORT
            )
        self.message_user(
            request,
            ngettext(
                "%(count)d seat was freed.", "%(count)d seats were freed.", len(seats)
            )
            % {"count": len(seats)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:contracts_seat_changelist"))

    def _release_confirmation(self, request, seats):
        on_change_form = f"{admin.ActionLocation.CHANGE_FORM.value}-action"
        return TemplateResponse(
            request,
            "admin/contracts/seat/release_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Free the selected seats?"),
                "opts": self.opts,
                "impacts": [
                    (seat, selectors.seat_release_preview(seat=seat)) for seat in seats
                ],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action_field": (
                    on_change_form if on_change_form in request.POST else "action"
                ),
                "media": self.media,
            },
        )


# Read-only records


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConnectionKey)
class ConnectionKeyAdmin(ReadOnlyAdmin):
    """Keys are generated from the contract's page; only their hint and
    dates are shown (the digest is of no use to anyone)."""

    list_display = [
        "__str__",
        "contract",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
        "used_by",
        "revoked_at",
    ]
    list_select_related = ["contract", "created_by", "used_by"]
    search_fields = ["contract__reference", "hint"]
    actions = ["revoke_keys"]
    date_hierarchy = "created_at"
    fields = [
        "contract",
        "hint",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
        "used_by",
        "revoked_at",
    ]

    def has_revoke_permission(self, request):
        # The page is read-only; revoking is the one change, and the
        # model's change permission is the one that allows it.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(
        permissions=["revoke"],
        description=_("Revoke the selected connection keys"),
        location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
    )
    def revoke_keys(self, request, queryset):
        revoked = 0
        for key in queryset:
            if key.revoked_at is not None:
                continue
            try:
                services.connection_key_revoke(
                    key=key, actor=request.user, source=SeatSource.SUPPORT
                )
            except ContractError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                revoked += 1
        if revoked:
            self.message_user(
                request,
                ngettext(
                    "%(count)d connection key was revoked: it works no more.",
                    "%(count)d connection keys were revoked: they work no more.",
                    revoked,
                )
                % {"count": revoked},
                messages.SUCCESS,
            )


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "contract",
        "organization",
        "actor",
        "member",
        "plan",
        "source",
        "feature",
    ]
    list_filter = ["kind", "source", "feature"]
    list_select_related = ["contract", "organization", "actor", "member", "plan"]
    search_fields = [
        "contract__reference",
        "organization__name",
        "actor__email",
        "member__email",
        "detail",
    ]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "kind",
        "contract",
        "organization",
        "actor",
        "member",
        "plan",
        "source",
        "feature",
        "detail",
        "attempts",
        "last_at",
    ]


@admin.register(PlanRequest)
class PlanRequestAdmin(ReadOnlyAdmin):
    list_display = ["user", "contract", "feature", "requested_at"]
    list_filter = ["feature"]
    list_select_related = ["user", "contract"]
    search_fields = ["user__email", "user__full_name", "contract__reference"]
    date_hierarchy = "requested_at"
    fields = ["contract", "user", "feature", "requested_at"]


# Organizations and their members, with the contracts app's rules

admin.site.unregister(Organization)
admin.site.unregister(Membership)


@admin.register(Organization)
class OrganizationAdmin(DeleteThroughServices, organizations_admin.OrganizationAdmin):
    """Deleting an organization disconnects its contract first (history
    event, managers emailed) and frees its members' seats on it, through
    `organization_delete`; an organization whose surveys must be kept is
    refused by the confirmation page, as any protected object is."""

    # The change page's summary: as many members and events as a glance
    # takes in; the rest behind a link to the full list.
    members_shown = 20
    events_shown = 10

    def delete_through_services(self, request, obj):
        services.organization_delete(
            organization=obj, actor=request.user, source=SeatSource.SUPPORT
        )

    def delete_view(self, request, object_id, extra_context=None):
        organization = self.get_object(request, object_id)
        contract = organization and selectors.contract_for_organization(
            organization=organization
        )
        if contract is not None:
            seats = selectors.seat_list_held_by_members(
                contract=contract, organization=organization
            ).select_related("contract__organization")
            extra_context = {**(extra_context or {}), "impacts": _impacts(seats)}
        return super().delete_view(request, object_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        organization = self.get_object(request, object_id)
        if organization is not None:
            extra_context = {
                **(extra_context or {}),
                **self._console(organization),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _console(self, organization):
        """Its connected contract with plan usage, its members with their
        plans, its recent history (issue 10, point 11)."""
        contract = selectors.contract_for_organization(organization=organization)
        catalog = selectors.plan_catalog_by_id()
        members = selectors.member_list_with_plans(organization_id=organization.pk)
        return {
            "contract": contract,
            "plan_usage": (
                selectors.plan_overview(contracts=[contract]).get(contract.pk, [])
                if contract
                else []
            ),
            "members": [
                (member, catalog[member.effective_plan_id])
                for member in members[: self.members_shown]
            ],
            "member_count": organization.memberships.count(),
            "events": list(
                selectors.event_list(organization=organization)[: self.events_shown]
            ),
        }


@admin.register(Membership)
class MembershipAdmin(DeleteThroughServices, organizations_admin.MembershipAdmin):
    """Removing a member frees their seat on the organization's contract,
    with the history event and the email of the Members page's Remove."""

    def delete_through_services(self, request, obj):
        services.member_remove(
            membership=obj, actor=request.user, source=SeatSource.SUPPORT
        )

    def delete_view(self, request, object_id, extra_context=None):
        membership = self.get_object(request, object_id)
        if membership is not None:
            contract = selectors.contract_for_organization(
                organization=membership.organization
            )
            seat = contract and selectors.member_seat(
                contract=contract, user_id=membership.user_id
            )
            extra_context = {
                **(extra_context or {}),
                "impacts": _impacts([seat] if seat else []),
            }
        return super().delete_view(request, object_id, extra_context)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DeleteThroughServices, organizations_admin.GroupAdmin):
    """Deleting a group frees the seats its members held through its plan
    (`services.group_delete`), as on the Groups page. Nothing else changes
    here: members join and leave on the pages, or by directory sync."""

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def delete_through_services(self, request, obj):
        services.group_delete(group=obj, actor=request.user)

    def get_deleted_objects(self, objs, request):
        # What goes with a group (its members' places, its mapping, its
        # waiting entries) is the service's to delete, not support's to
        # have permissions for: those records are read only here.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        return deleted, counts, set(), protected


@admin.register(GroupPlan)
class GroupPlanAdmin(ReadOnlyAdmin):
    """Groups mapped to a plan, for support to see; administrators map
    them on the group's page (`services.group_plan_set`)."""

    list_display = ["group", "plan", "contract", "created_by", "created_at"]
    list_select_related = ["group", "plan", "contract", "created_by"]
    search_fields = ["group__name", "contract__reference"]
