"""Forms of the KPI pages (the filters, shared with the API) and of the targets."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import clock, roles
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.kpis.models import TIER_NUMBERS, AnnualTarget
from zhaoshang.kpis.services import KPI_NAMES, MAX_YEAR, MIN_YEAR, PARTS, default_tiers
from zhaoshang.org.models import Department, District, Industry, Park, WorkingGroup
from zhaoshang.projects.choices import Level


class KpiFilterForm(BootstrapMixin, forms.Form):
    """Year and the filters of SPEC §12 (park, industry, working group, level); a city user
    may also pick a district. Choices are what the user can see, so another district's park
    is "not one of the choices" (400 in the API)."""

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    since = forms.IntegerField(
        label=_("From year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        required=False,
        help_text=_(
            "Count the projects signed from this year to the year (empty: the year alone)."
        ),
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )
    park = forms.ModelChoiceField(label=_("Park"), queryset=Park.objects.none(), required=False)
    industry = forms.ModelChoiceField(
        label=_("Industry"), queryset=Industry.objects.none(), required=False
    )
    working_group = forms.ModelChoiceField(
        label=_("Working group"), queryset=WorkingGroup.objects.none(), required=False
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All")), *Level.choices], required=False
    )

    def __init__(self, data=None, *, user, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("year"):
            data["year"] = clock.today().year
        super().__init__(data, **kwargs)
        # The options show the names alone (a park's outline is not read for its option).
        self.fields["park"].queryset = (
            Park.objects.visible_to(user).order_by("district_id", "code").only("name")
        )
        self.fields["industry"].queryset = (
            Industry.objects.visible_to(user).order_by("district_id", "id").only("name")
        )
        self.fields["working_group"].queryset = (
            WorkingGroup.objects.visible_to(user).order_by("district_id", "id").only("name")
        )
        if roles.sees_all_districts(user):
            self.fields["district"].queryset = District.objects.order_by("id")
        else:
            del self.fields["district"]
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("All")

    def clean(self):
        data = super().clean()
        since, year = data.get("since"), data.get("year")
        if since is not None and year is not None and since > year:
            self.add_error(
                "since",
                _("The first year (%(since)s) cannot be after the year (%(year)s).")
                % {"since": since, "year": year},
            )
        return data

    def period_args(self) -> dict:
        """``year`` and ``since`` as ``services.compute`` and ``services.drill`` take them."""
        return {"year": self.cleaned_data["year"], "since": self.cleaned_data.get("since")}

    def project_filters(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("district", "park", "industry", "working_group", "level")
            if data.get(name) not in (None, "")
        }

    def query(self, **extra) -> str:
        """The query string of these filters (for links), with ``extra`` on top."""
        from urllib.parse import urlencode

        params = {"year": self.cleaned_data["year"]}
        if self.cleaned_data.get("since") is not None:
            params["since"] = self.cleaned_data["since"]
        for name, value in self.project_filters().items():
            params[name] = getattr(value, "pk", value)
        params.update(extra)
        return urlencode(params)


class DrillForm(KpiFilterForm):
    """The filters, the figure (KPI and part) and, from the charts, a cut-off within the
    year (a month end of the KPI trends), the first and last days of signing (a month's bar
    of signed investment: the projects signed in the month; a point of its cumulative line:
    those signed by the month's end — each at its investment at the chart's cut-off) and an
    investment band (a "369" tier)."""

    kpi = forms.ChoiceField(label=_("KPI"), choices=[(k, k) for k in KPI_NAMES], required=False)
    part = forms.ChoiceField(label=_("Part"), choices=[(p, p) for p in PARTS], required=False)
    as_of = forms.DateField(label=_("Cut-off"), required=False, widget=forms.HiddenInput)
    signed_from = forms.DateField(label=_("Signed from"), required=False, widget=forms.HiddenInput)
    signed_to = forms.DateField(label=_("Signed to"), required=False, widget=forms.HiddenInput)
    tier_min = forms.DecimalField(
        label=_("Minimum investment (10k yuan)"),
        min_value=0,
        required=False,
        widget=forms.HiddenInput,
    )
    tier_below = forms.DecimalField(
        label=_("Investment below (10k yuan)"),
        min_value=0,
        required=False,
        widget=forms.HiddenInput,
    )
    EXTRA = ("as_of", "signed_from", "signed_to", "tier_min", "tier_below")
    # The KPIs a band or a first signing day narrows (their figure is then the rows').
    NARROWED_KPIS = ("signed_count", "signed_investment")

    def clean(self):
        data = super().clean()
        as_of, year = data.get("as_of"), data.get("year")
        if as_of is not None and year is not None and as_of.year != year:
            self.add_error(
                "as_of",
                _("The cut-off (%(as_of)s) must be in the year %(year)s.")
                % {"as_of": as_of, "year": year},
            )
        since = data.get("signed_from")
        if since is not None and year is not None:
            if since.year != year:
                self.add_error(
                    "signed_from",
                    _("The first day of signing (%(day)s) must be in the year %(year)s.")
                    % {"day": since, "year": year},
                )
            elif as_of is not None and since > as_of:
                self.add_error(
                    "signed_from",
                    _("The first day of signing (%(day)s) cannot be after the cut-off (%(as_of)s).")
                    % {"day": since, "as_of": as_of},
                )
        until = data.get("signed_to")
        if until is not None and year is not None:
            if until.year != year:
                self.add_error(
                    "signed_to",
                    _("The last day of signing (%(day)s) must be in the year %(year)s.")
                    % {"day": until, "year": year},
                )
            elif since is not None and since > until:
                self.add_error(
                    "signed_to",
                    _("The last day of signing (%(day)s) cannot be before the first (%(first)s).")
                    % {"day": until, "first": since},
                )
        narrowed = any(
            data.get(name) is not None
            for name in ("signed_from", "signed_to", "tier_min", "tier_below")
        )
        if narrowed and (data.get("kpi") or "signed_count") not in self.NARROWED_KPIS:
            self.add_error(
                "kpi",
                _(
                    "A first day of signing or an investment band applies to the signed projects only."
                ),
            )
        return data

    def period_args(self) -> dict:
        args = super().period_args()
        if self.cleaned_data.get("as_of") is not None:
            args["as_of"] = self.cleaned_data["as_of"]
        return args

    def band(self) -> dict:
        """The rows' narrowing: a tier's investment band (``total_investment`` lookups) and
        the first day of signing (empty: none)."""
        data, out = self.cleaned_data, {}
        if data.get("tier_min") is not None:
            out["total_investment__gte"] = data["tier_min"]
        if data.get("tier_below") is not None:
            out["total_investment__lt"] = data["tier_below"]
        if data.get("signed_from") is not None:
            out["signed_on__gte"] = data["signed_from"]
        if data.get("signed_to") is not None:
            out["signed_on__lte"] = data["signed_to"]
        return out

    def query(self, **extra) -> str:
        kept = {k: self.cleaned_data.get(k) for k in self.EXTRA}
        return super().query(**{**{k: v for k, v in kept.items() if v is not None}, **extra})


class FundsMonthForm(KpiFilterForm):
    """The filters and a month of the year: the funds in place received in it (a bar of the
    charts' funds in place by month). Without a month: this month, or December of a past
    year."""

    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12, required=False)

    def month_of(self) -> int:
        month = self.cleaned_data.get("month")
        if month is not None:
            return month
        today = clock.today()
        return today.month if self.cleaned_data["year"] >= today.year else 12


class TargetForm(BootstrapMixin, forms.Form):
    """A year's targets for the district, a working group or a department."""

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    working_group = forms.ModelChoiceField(
        label=_("Working group"),
        queryset=WorkingGroup.objects.none(),
        required=False,
        help_text=_("Leave both the working group and the department empty for the district."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, district_id, record: AnnualTarget | None = None, **kwargs):
        initial = kwargs.pop("initial", None) or {}
        if record is not None:
            initial = {
                name: getattr(record, name)
                for name in ("year", "working_group", "department", "signed_investment")
            }
            initial.update(
                {
                    "funds_in_place": record.funds_in_place,
                    "note": record.note,
                    "version": record.version,
                }
            )
            for n in TIER_NUMBERS:
                initial[f"tier{n}_min"] = getattr(record, f"tier{n}_min")
                initial[f"tier{n}_count"] = getattr(record, f"tier{n}_count")
        else:
            initial = {"year": clock.today().year, **default_tiers(), **initial}
        super().__init__(*args, initial=initial, **kwargs)
        for n in TIER_NUMBERS:
            self.fields[f"tier{n}_min"] = AnnualTarget._meta.get_field(f"tier{n}_min").formfield()
            self.fields[f"tier{n}_count"] = AnnualTarget._meta.get_field(
                f"tier{n}_count"
            ).formfield()
        for name in ("signed_investment", "funds_in_place", "note"):
            self.fields[name] = AnnualTarget._meta.get_field(name).formfield()
        self.fields["working_group"].queryset = WorkingGroup.objects.filter(
            district_id=district_id
        ).order_by("id")
        self.fields["department"].queryset = Department.objects.filter(
            district_id=district_id
        ).order_by("id")
        # The fields added above get their Bootstrap classes here.
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)
