from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract

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
        contract = (
            self.managed.filter(pk=int(value)).first() if value.isdigit() else None
        )
        if contract is None:
            raise ValidationError(
                _("This is not a contract you can connect."),
                code="invalid_choice",
            )
        return contract


class KeyInput(forms.TextInput):
    """A text box that never sends a typed key back to the browser: after a
    refused attempt the field comes back empty."""

    def format_value(self, value):
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
