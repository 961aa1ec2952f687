from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contracts import keys
from contracts.models import Contract
from organizations.models import Group, Membership
from plans.models import Feature, Plan

USE_KEY = "key"


class ConnectForm(forms.Form):
    """Flow 1's dropdown: a contract the person manages, or the way to flow 2.

    The dropdown lists the contracts that can be connected now; any contract
    the person manages is accepted back, so that the service can say why one
    that changed meanwhile cannot be (and a form sent twice is harmless).
    """

    contract = forms.CharField(label=_("Contract"), widget=forms.Select)

    def __init__(
        self,
        *args,
        connectable: QuerySet[Contract],
        managed: QuerySet[Contract],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.managed = managed
        choices = [
            (str(contract.pk), f"{contract.reference} – {contract.customer}")
            for contract in connectable
        ]
        choices.append((USE_KEY, _("Use a connection key")))
        self.fields["contract"].widget.choices = choices
        self.fields["contract"].widget.attrs["autofocus"] = True

    def clean_contract(self) -> Contract | str:
        value = self.cleaned_data["contract"]
        if value == USE_KEY:
            return USE_KEY
        try:
            # int() and not isdigit(): "²" is a digit that int() refuses.
            pk = int(value)
        except ValueError:
            contract = None
        else:
            contract = self.managed.filter(pk=pk).first()
        if contract is None:
            raise ValidationError(
                _("This is not a contract you can connect."),
                code="invalid_choice",
            )
        return contract


class KeyInput(forms.TextInput):
    """A text box that keeps what was typed when it is not shaped like a key
    (a typo to correct, no secret), and never sends a well-shaped key back
    to the browser: after such a key is refused the field comes back empty."""

    def format_value(self, value):
        if value and keys.key_normalize(value) is None:
            return super().format_value(value)
        return None


class ConnectKeyForm(forms.Form):
    key = forms.CharField(
        label=_("Connection key"),
        max_length=100,
        help_text=_("The contract manager gives it to you; it starts with SEAT-."),
        widget=KeyInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class AutoAssignForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Assign plans automatically"),
        required=False,
        widget=forms.CheckboxInput(attrs={"role": "switch"}),
    )


class PlanChoiceField(forms.ModelChoiceField):
    """A plan by its code. Whether the contract has it, and a seat of it is
    left, is the services' to say."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Plan.objects.all(), to_field_name="code", **kwargs)

    def label_from_instance(self, obj):
        return obj.display_name


class MemberPlanForm(forms.Form):
    plan = PlanChoiceField(label=_("Plan"))


class MemberChoiceField(forms.ModelMultipleChoiceField):
    """Ticked members, by membership id. An id beyond what the id column
    holds is refused like any id that is not a member's, before SQLite,
    which cannot compare it, raises OverflowError."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            low, high = connections[self.queryset.db].ops.integer_field_range(
                "BigAutoField"
            )
            for pk in value:
                try:
                    outside = not low <= int(pk) <= high
                except (TypeError, ValueError):
                    outside = False  # Not a number: the field's own check says so.
                if outside:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": pk},
                    )
        return super().clean(value)


class BulkPlanForm(forms.Form):
    """Give or take back a plan for the members ticked in the list."""

    prefix = "bulk"

    members = MemberChoiceField(
        queryset=Membership.objects.none(),
        error_messages={"required": _("Select at least one member.")},
    )
    plan = PlanChoiceField(
        label=_("Plan for the selected members"),
        error_messages={"required": _("Choose the plan to give them.")},
    )

    def __init__(self, *args, organization_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            Membership.objects.filter(organization_id=organization_id)
            .select_related("user")
            .order_by("user__email", "pk")
        )

    def names_a_stranger(self) -> bool:
        """Whether a ticked id is not a member of the organization (another
        organization's, or made up): the view answers 404 to that."""
        return any(
            error.code in {"invalid_choice", "invalid_pk_value"}
            for error in self.errors.as_data().get("members", [])
        )


class WaitlistJoinForm(forms.Form):
    feature = forms.ChoiceField(label=_("Feature"), choices=Feature.choices)


class SeatRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need a plan? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SeatRequestGiveForm(forms.Form):
    plan = PlanChoiceField(label=_("Plan"))


class AlertThresholdForm(forms.Form):
    """A plan's low-seat alert threshold; empty puts the default back."""

    plan = PlanChoiceField()
    threshold = forms.IntegerField(min_value=0, required=False)


class IdlePolicyForm(forms.Form):
    """Reclaiming idle seats: whether, and after how long."""

    enabled = forms.BooleanField(
        label=_("Reclaim idle plans"),
        required=False,
        widget=forms.CheckboxInput(attrs={"role": "switch"}),
    )
    remind_days = forms.IntegerField(
        label=_("Remind a member after this many days without a paid feature"),
        min_value=1,
        max_value=3650,
    )
    reclaim_days = forms.IntegerField(
        label=_("Free their plan this many days after the reminder"),
        min_value=1,
        max_value=3650,
    )


class ScheduleChangeForm(forms.Form):
    """A member's plan change, for a day."""

    plan = PlanChoiceField(label=_("New plan"))
    on = forms.DateField(label=_("On"), widget=forms.DateInput(attrs={"type": "date"}))


class GroupNameForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=200)


class GroupPlanForm(forms.Form):
    """A group's plan: one of the contract's, or none (the mapping removed)."""

    plan = PlanChoiceField(label=_("Plan for the group's members"), required=False)


class GroupMemberForm(forms.Form):
    member = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class BulkGroupForm(forms.Form):
    """Add the members ticked in the list to a group."""

    prefix = "bulk"

    members = MemberChoiceField(
        queryset=Membership.objects.none(),
        error_messages={"required": _("Select at least one member.")},
    )
    group = forms.ModelChoiceField(
        label=_("Group for the selected members"),
        queryset=Membership.objects.none(),
        error_messages={"required": _("Choose the group to add them to.")},
    )

    def __init__(self, *args, organization_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            Membership.objects.filter(organization_id=organization_id)
            .select_related("user")
            .order_by("user__email", "pk")
        )
        self.fields["group"].queryset = Group.objects.filter(
            organization_id=organization_id
        )

    names_a_stranger = BulkPlanForm.names_a_stranger
