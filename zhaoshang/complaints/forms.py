"""Forms of the complaint pages; the services check the rules again. Every form has
core's ``BootstrapMixin``: Bootstrap classes, dates within the platform's range, and no
markup in any text field (``core.validators.NoMarkupValidator``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.complaints.choices import (
    EXTENSION_MAX_WORKDAYS,
    Category,
    Channel,
    ComplaintStatus,
    Outcome,
    Rating,
)
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.lights import Light
from zhaoshang.core.widgets import offer_scope


class _Versioned(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        if record is not None and not self.is_bound:
            self.initial["version"] = record.version


class ReceiveForm(BootstrapMixin, forms.Form):
    enterprise = forms.ModelChoiceField(queryset=None, label=_("enterprise"))
    project = forms.ModelChoiceField(queryset=None, label=_("project"), required=False)
    department = forms.ModelChoiceField(queryset=None, label=_("department complained about"))
    # 企业门户 is the channel of the complaints the enterprise lodges itself in the portal.
    channel = forms.ChoiceField(
        choices=[c for c in Channel.choices if c[0] != Channel.PORTAL], label=_("channel")
    )
    category = forms.ChoiceField(choices=Category.choices, label=_("complaint category"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("complaint"))
    contact_name = forms.CharField(max_length=50, required=False, label=_("contact person"))
    contact_phone = forms.CharField(max_length=30, required=False, label=_("contact phone"))
    contact_consent = forms.BooleanField(
        required=False, label=_("contact may be shown to the department")
    )
    attachment = forms.FileField(
        required=False,
        label=_("attachment"),
        help_text=_("Optional: the enterprise's evidence (PDF, image, Word, Excel, OFD or ZIP)."),
    )

    def __init__(self, *args, district_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.enterprises.models import Enterprise
        from zhaoshang.org.models import Department
        from zhaoshang.projects.models import Project

        self.fields["enterprise"].queryset = Enterprise.objects.filter(district_id=district_id)
        self.fields["project"].queryset = Project.objects.filter(district_id=district_id)
        offer_scope(self.fields["enterprise"], "district", district_id)
        offer_scope(self.fields["project"], "district", district_id)
        self.fields["department"].queryset = Department.objects.filter(district_id=district_id)


class DispatchForm(_Versioned):
    department = forms.ModelChoiceField(queryset=None, label=_("department complained about"))

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        from zhaoshang.org.models import Department

        district_id = record.district_id if record is not None else None
        self.fields["department"].queryset = Department.objects.filter(district_id=district_id)
        if record is not None and not self.is_bound:
            self.initial["department"] = record.department_id


class AcceptForm(_Versioned):
    pass


def _outcome_choices():
    return [("", "---------"), *Outcome.choices]


class AnswerForm(_Versioned):
    """The department's answer with the facts. Its fields are checked by the service (every
    error at once); the finding is not the department's to choose."""

    department_view = forms.ChoiceField(
        choices=_outcome_choices,
        required=False,
        label=_("department's view"),
        help_text=_(
            "Whether the department finds the complaint substantiated. The supervision office "
            "verifies it and records the finding."
        ),
    )
    account = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label=_("department's account"),
        help_text=_("The facts (情况说明): what happened, what the department did and why."),
    )
    attachment = forms.FileField(
        required=False,
        label=_("attachment"),
        help_text=_("Optional: supporting documents (PDF, image, Word, Excel, OFD or ZIP)."),
    )


class VerifyForm(_Versioned):
    """The supervision office's finding on the department's account, and the answer to the
    enterprise. Checked by the service (every error at once)."""

    outcome = forms.ChoiceField(choices=_outcome_choices, required=False, label=_("finding"))
    finding_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("reasoning of the finding"),
        help_text=_("What the supervision office verified and what it found."),
    )
    overrule_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("reason for overruling"),
    )
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label=_("answer to the enterprise"),
    )

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        view = record.get_department_view_display() if record is not None else ""
        self.fields["overrule_reason"].help_text = _(
            "Required when the finding differs from the department's view (%(view)s)."
        ) % {"view": view or "—"}


class RateForm(_Versioned):
    rating = forms.ChoiceField(choices=Rating.choices, label=_("rating"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("reason"),
        help_text=_("Required when the enterprise is not satisfied."),
    )


class RequestExtensionForm(_Versioned):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("reason for the extension"),
        help_text=_("Why this is a complex case that needs more time to answer."),
    )


class DecideExtensionForm(_Versioned):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        label=_("approve or reject"),
    )
    workdays = forms.IntegerField(
        required=False,
        min_value=1,
        label=_("working days after the dispatch"),
        help_text=_("Leave empty for the full %(max)s working days.")
        % {"max": EXTENSION_MAX_WORKDAYS},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("reason for the decision"),
        help_text=_("Required when rejecting."),
    )


class AttachForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("file"))


class DeskFilterForm(BootstrapMixin, forms.Form):
    """The complaint desk's filters; ``mine`` keeps the complaints against the user's own
    department."""

    status = forms.ChoiceField(
        choices=[("", _("All"))] + ComplaintStatus.choices, required=False, label=_("status")
    )
    category = forms.ChoiceField(
        choices=[("", _("All"))] + Category.choices,
        required=False,
        label=_("complaint category"),
    )
    department = forms.ModelChoiceField(
        queryset=None, required=False, label=_("department complained about"), empty_label=_("All")
    )
    light = forms.ChoiceField(
        choices=[("", _("All"))] + [c for c in Light.choices if c[0] != Light.NONE],
        required=False,
        label=_("light"),
    )
    mine = forms.BooleanField(required=False, label=_("against my department"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.core import roles
        from zhaoshang.org.models import Department

        departments = Department.objects.order_by("sort_order", "name")
        if not roles.sees_all_districts(user):
            departments = departments.filter(district_id=getattr(user, "district_id", None))
        self.fields["department"].queryset = departments
        if not getattr(user, "department_id", None):
            del self.fields["mine"]
