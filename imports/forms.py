from django import forms
from django.utils.translation import gettext_lazy as _

from imports.rows import MAX_BYTES


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns email, name, role, plan; separated by commas or "
            "semicolons; UTF-8. Up to %(size)s MB."
        )
        % {"size": MAX_BYTES // (1024 * 1024)},
    )
    send_invitations = forms.BooleanField(
        label=_("Email an invitation to each new member"),
        required=False,
        initial=True,
        help_text=_(
            "Untick it for a directory-sized import you announce yourself: new "
            "members then choose a password through “Forgotten password”."
        ),
    )
