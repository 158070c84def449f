from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.enterprises.choices import Origin
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.enterprises.services import EDITABLE_FIELDS


class EnterpriseForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Enterprise
        fields = list(EDITABLE_FIELDS)
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_code"].validators = []  # the service checks it and names the reason
        self.fields["credit_code"].help_text = _("18 characters, GB 32100-2015.")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        pass


class EnterpriseFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name or credit code")}),
    )
    origin = forms.ChoiceField(
        label=_("Origin"), required=False, choices=[("", _("All")), *Origin.choices]
    )


class ContactInviteForm(BootstrapMixin, forms.Form):
    """Who to invite as a contact; the service checks every field and says all at once."""

    name = forms.CharField(label=_("Name"), max_length=40, required=False)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("It becomes the user name. No SMS is sent: you pass the link on."),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "off"}),
        help_text=_("The link is sent to this address (the user name when no mobile number)."),
    )


class AcceptInvitationForm(BootstrapMixin, forms.Form):
    """The invitee's first password (the site's password rules apply)."""

    password1 = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
