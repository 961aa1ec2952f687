from django import forms
from django.utils.translation import gettext_lazy as _


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        initial="Microsoft Entra ID",
        help_text=_("Which directory uses it, to recognise it in the list."),
    )
