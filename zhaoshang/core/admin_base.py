"""The district scope of the Django admin (/admin/), written once for every app.

A district administrator (the ``admin`` role, see ``core.backends``) works in /admin/ on
their own district only, as on the pages: every changelist, form, choice, filter,
autocomplete, inline, action, history and revert view starts from the same scoped
queryset, so a record of another district is simply not there (404). Superusers (the
platform's IT staff, the city administrators) see every district.

Where a model's district is: the ``district_path`` of its queryset (``DistrictScopedQuerySet``
and its ``scoped_queryset`` variants), else its own ``district`` foreign key, else (the
district model itself) its primary key, else the admin class's ``district_path``. A model
without one is national reference data and its admin must say so (``national = True``);
the system check ``zhaoshang.E100`` refuses an admin of an app that district administrators
may open which is not a ``ScopedAdmin`` or has neither, so a new model cannot slip in
unscoped.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import admin
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core import checks
from django.core.exceptions import (
    FieldDoesNotExist,
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.http import Http404
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

TENANT_MODEL = "org.District"


def district_path_of(model) -> str | None:
    """The lookup from ``model`` to its district ("district", "warning__district", "pk"
    for the district model itself), or None for national data."""
    path = getattr(model._default_manager.get_queryset(), "district_path", None)
    if path:
        return path
    if model._meta.label == TENANT_MODEL:
        return "pk"
    try:
        field = model._meta.get_field("district")
    except FieldDoesNotExist:
        return None
    if field.many_to_one and field.related_model._meta.label == TENANT_MODEL:
        return "district"
    return None


def admin_district_path(model, admin_site=None) -> str | None:
    """The district path the registered admin of ``model`` uses (its declared one first)."""
    site = admin_site or admin.site
    model_admin = site._registry.get(model)
    declared = getattr(model_admin, "district_path", None)
    return declared or district_path_of(model)


def scope(queryset, user, path: str | None):
    """The rows of ``queryset`` a user may reach in /admin/: every row for a superuser,
    their district's rows for anybody else, every row of national data (``path`` None)."""
    if path is None or user.is_superuser:
        return queryset
    if not user.district_id:
        return queryset.none()
    if path == "pk":
        return queryset.filter(pk=user.district_id)
    return queryset.filter(**{f"{path}_id": user.district_id})


def scoped_related(model, user, admin_site=None):
    """The rows of a related model a user may choose (in a form, a filter, an inline)."""
    return scope(model._default_manager.all(), user, admin_district_path(model, admin_site))


def is_tracked(model) -> bool:
    """Whether django-simple-history keeps versions of the model (and so has a revert
    page); the others show Django's own change log."""
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return bool(manager and hasattr(model, manager))


class ScopedChoicesMixin:
    """Every foreign-key and many-to-many choice (select, raw id, autocomplete) offers and
    accepts only what the user may reach: the same scope as the related model's admin."""

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        related = db_field.remote_field.model
        if queryset is None:
            queryset = related._default_manager.using(db).all()
        return scope(queryset, request.user, admin_district_path(related, self.admin_site))


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A related-field filter offering only the related rows the user may reach."""

    def field_choices(self, field, request, model_admin):
        allowed = scoped_related(field.related_model, request.user, model_admin.admin_site)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"pk__in": allowed.values("pk")},
            ordering=ordering,
        )


class ScopedAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """A filter on a value reached through a relation (``rule__code``): the values of the
    user's own rows only (Django's own reads every row of the related model)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .order_by(field_path)
            .values_list(field_path, flat=True)
            .distinct()
        )


def _same_district_form(form_class, admin_site):
    """A superuser's form (which offers every district's rows) refuses a related row of
    another district than the record's, naming the field."""

    def clean(self):
        data = super(checked, self).clean()
        district = data.get("district") if "district" in self.fields else None
        district_id = getattr(district, "pk", None) or getattr(type(self), "district_id", None)
        if not district_id:
            return data
        inside = SimpleNamespace(is_superuser=False, district_id=district_id)
        for name, field in self.fields.items():
            value = data.get(name)
            if name == "district" or not value or not hasattr(field, "queryset"):
                continue
            related = field.queryset.model
            path = admin_district_path(related, admin_site)
            if path is None:
                continue
            pks = {row.pk for row in value} if hasattr(value, "__iter__") else {value.pk}
            found = scope(related._default_manager.filter(pk__in=pks), inside, path).count()
            if found != len(pks):
                self.add_error(name, _("It belongs to another district."))
        return data

    checked = type(form_class.__name__, (form_class,), {"clean": clean})
    return checked


class ScopedAdmin(ScopedChoicesMixin, SimpleHistoryAdmin):
    """An admin page set that works inside the user's district (see the module docstring).

    New records of a district administrator are filed in their district; the district of
    an existing record (and the relation it is reached through) is never changed here, not
    by a form, not by a revert, not by a superuser. The history pages and the revert page
    open only for records in scope; a revert needs the right to change the record.
    """

    district_path: str | None = None  # declared where the model cannot tell
    national = False  # national reference data: the same rows for everybody

    # ---- the scope --------------------------------------------------------------------
    def get_district_path(self) -> str | None:
        path = self.district_path or district_path_of(self.model)
        if path is None and not self.national:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: {self.model._meta.label} has no district; declare "
                "district_path or national = True"
            )
        return path

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, self.get_district_path())

    def _direct_district(self) -> bool:
        return self.get_district_path() == "district"

    def _pinned_field(self) -> str | None:
        """The field through which the record belongs to its district ("district",
        "warning"): fixed once the record exists."""
        path = self.get_district_path()
        if not path or path == "pk":
            return None
        return path.split("__", 1)[0]

    def get_object_in_scope(self, request, object_id):
        """The record behind a URL, or 404 when it is outside the user's scope (or does not
        exist); 403 first for somebody with no access to these pages at all."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        if to_field and not self.to_field_allowed(request, to_field):
            to_field = None  # Django's own view answers it
        obj = self.get_object(request, unquote(object_id), to_field)
        if obj is None:
            raise Http404
        return obj

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404  # out of scope or gone: the same answer, never a hint

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.get_object_in_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.get_object_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    # ---- history and revert ------------------------------------------------------------
    def get_urls(self):
        if is_tracked(self.model):
            return super().get_urls()
        return admin.ModelAdmin.get_urls(self)  # no versions: no revert page

    def history_view(self, request, object_id, extra_context=None):
        self.get_object_in_scope(request, object_id)
        if not is_tracked(self.model):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object_in_scope(request, object_id)
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied  # the page shows a version; only an editor reverts
        return super().history_form_view(request, object_id, version_id, extra_context)

    # ---- forms ------------------------------------------------------------------------
    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if obj is None and not request.user.is_superuser and self._direct_district():
            exclude.append("district")  # theirs
        return exclude

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        pinned = self._pinned_field()
        if obj is not None and pinned and pinned not in fields:
            fields.append(pinned)
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if self._direct_district() and request.user.is_superuser:
            form = _same_district_form(form, self.admin_site)
        if self._direct_district():
            # The forms that check a uniqueness within the district read it from here.
            if obj is not None:
                form.district_id = obj.district_id
            elif not request.user.is_superuser:
                form.district_id = request.user.district_id
        return form

    def place(self, request, obj, change: bool) -> None:
        """File a new record of a district administrator in their district; keep an
        existing record where it is (a revert saves an old version: it must not take the
        record elsewhere). Every save of this admin goes through here."""
        pinned = self._pinned_field()
        if change and pinned:
            attname = self.model._meta.get_field(pinned).attname
            current = (
                self.model._default_manager.filter(pk=obj.pk)
                .values_list(attname, flat=True)
                .first()
            )
            setattr(obj, attname, current)
        elif not change and self._direct_district() and not request.user.is_superuser:
            obj.district_id = request.user.district_id

    def save_model(self, request, obj, form, change):
        self.place(request, obj, change)
        super().save_model(request, obj, form, change)

    # ---- changelist -------------------------------------------------------------------
    def get_list_filter(self, request):
        base = list(super().get_list_filter(request))
        if request.user.is_superuser:
            if self._direct_district() and "district" not in base:
                base.insert(0, "district")
            return base
        scoped = []
        for entry in base:
            if not isinstance(entry, str):
                scoped.append(entry)
                continue
            if entry == "district":
                continue  # one district: nothing to choose
            fields = get_fields_from_path(self.model, entry)
            if fields[-1].is_relation:
                scoped.append((entry, ScopedRelatedFieldListFilter))
            elif len(fields) > 1:
                scoped.append((entry, ScopedAllValuesFieldListFilter))
            else:
                scoped.append(entry)
        return scoped

    def get_list_select_related(self, request):
        """Every foreign key shown in the list is joined (nullable ones too), so a
        changelist does not query once per row."""
        chosen = super().get_list_select_related(request)
        if chosen is not False:
            return chosen
        joined = []
        for name in self.get_list_display(request):
            if not isinstance(name, str):
                continue
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_one or field.one_to_one:
                joined.append(name)
        return joined or False


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """An inline whose choices are scoped like its page's."""


class ReadOnlyInline(ScopedInline):
    """Rows shown inside their record, changed only through the services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ScopedAdmin):
    """Records that change only through the services (pages, API): shown, never written.

    Fifty a page rather than Django's hundred: these are the tables the services and the
    daily scan write by the thousand (events, breaches, warnings), read here to look a
    record up by its filters and search, and Django's change list costs about 0.8 ms a row
    to render (issue 19: the exit warnings' list at 50,000 projects, 100 rows, 98 ms of
    CPU against 39 ms for the demo's 27)."""

    list_per_page = 50

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@checks.register(checks.Tags.admin)
def check_admin_scoping(app_configs=None, **kwargs):
    """Every admin of an app that district administrators may open is scoped, and knows
    where its model's district is (or says it is national)."""
    from zhaoshang.core.backends import ADMIN_APPS

    errors = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ADMIN_APPS:
            continue  # superusers only
        label = model._meta.label
        if not isinstance(model_admin, ScopedAdmin):
            errors.append(
                checks.Error(
                    f"The admin of {label} is not a ScopedAdmin: district administrators "
                    "would reach every district.",
                    hint="Derive it from zhaoshang.core.admin_base.ScopedAdmin.",
                    obj=type(model_admin),
                    id="zhaoshang.E100",
                )
            )
            continue
        try:
            model_admin.get_district_path()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), obj=type(model_admin), id="zhaoshang.E101"))
        for inline in model_admin.inlines:
            if not issubclass(inline, ScopedChoicesMixin):
                errors.append(
                    checks.Error(
                        f"The inline {inline.__name__} of {label} does not scope its choices.",
                        hint="Derive it from zhaoshang.core.admin_base.ScopedInline.",
                        obj=inline,
                        id="zhaoshang.E102",
                    )
                )
    return errors


__all__ = [
    "ReadOnlyAdmin",
    "ReadOnlyInline",
    "ScopedAdmin",
    "ScopedInline",
    "admin_district_path",
    "district_path_of",
    "is_tracked",
    "scope",
    "scoped_related",
]


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" redirect (``/admin/r/<type>/<id>/``), answered only for a
    record the user may open in the admin: anything else is a 404, like the change page,
    so the redirect cannot tell whether another district's record exists."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut

    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError):
        raise Http404 from None
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        raise Http404
    try:
        in_scope = model_admin.get_queryset(request).filter(pk=object_id).exists()
    except (ValueError, ValidationError):
        in_scope = False
    if not in_scope:
        raise Http404
    return shortcut(request, content_type_id, object_id)
