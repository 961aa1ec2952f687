"""Forms of the members pages. (Kept apart from the contract pages' forms.)"""

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import Membership
from plans.models import Plan


class PlanChoiceField(forms.ModelChoiceField):
    """A plan by its code. Whether the contract has it, and a seat of it is
    left, is the services' to say."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Plan.objects.all(), to_field_name="code", **kwargs)

    def label_from_instance(self, obj):
        return obj.display_name


class MemberPlanForm(forms.Form):
    plan = PlanChoiceField(label=_("Plan"))


class BulkPlanForm(forms.Form):
    """Give or take back a plan for the members ticked in the list."""

    prefix = "bulk"

    members = forms.ModelMultipleChoiceField(
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
