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
