"""The project's admin site: Django's, its app list laid out once per process.

Every admin page lists the apps and models its user may reach (the sidebar; the index and an
app's page list them again): Django builds that list anew on each page, reversing two URLs
per model and sorting the apps and models by their translated names, for ~100 registered
models. What does not depend on the user (the URLs, the order, the names) is laid out once
here, per language, URL configuration, script prefix and registry; what the user may do is
still asked of each model admin on every page, as Django asks it (``has_module_permission``,
``get_model_perms``), so a permission granted or withdrawn shows on the next page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language


@dataclass(frozen=True)
class _ModelEntry:
    model: type
    model_admin: admin.ModelAdmin
    name: object  # lazy: rendered in the request's language
    changelist_url: str | None
    add_url: str | None


@dataclass(frozen=True)
class _AppEntry:
    label: str
    name: object
    url: str
    models: tuple[_ModelEntry, ...]


class ProjectAdminSite(admin.AdminSite):
    """Django's admin site with the app list's layout kept (see the module's docstring);
    ``admin.site`` (``core.apps.ProjectAdminConfig``)."""

    def __init__(self, name: str = "admin"):
        super().__init__(name)
        self._layouts: dict[tuple, tuple[_AppEntry, ...]] = {}

    def get_app_list(self, request, app_label=None):
        """What Django's ``get_app_list`` returns, in its order: each app's models the user
        has a module permission and some model permission for, an app when it has one."""
        app_list = []
        for app in self._layout(app_label):
            models = []
            for entry in app.models:
                if not entry.model_admin.has_module_permission(request):
                    continue
                perms = entry.model_admin.get_model_perms(request)
                if True not in perms.values():
                    continue
                model_dict = {
                    "model": entry.model,
                    "name": entry.name,
                    "object_name": entry.model._meta.object_name,
                    "perms": perms,
                    "admin_url": None,
                    "add_url": None,
                }
                if perms.get("change") or perms.get("view"):
                    model_dict["view_only"] = not perms.get("change")
                    model_dict["admin_url"] = entry.changelist_url
                if perms.get("add"):
                    model_dict["add_url"] = entry.add_url
                models.append(model_dict)
            if models:
                app_list.append(
                    {
                        "name": app.name,
                        "app_label": app.label,
                        "app_url": app.url,
                        "has_module_perms": True,
                        "models": models,
                    }
                )
        return app_list

    def _layout(self, app_label: str | None) -> tuple[_AppEntry, ...]:
        registry = tuple(self._registry.items())  # a model (un)registered: a new layout
        key = (get_language(), get_urlconf(), get_script_prefix(), app_label, registry)
        layout = self._layouts.get(key)
        if layout is None:
            if len(self._layouts) > 64:  # (languages × URL configurations × apps' pages)
                self._layouts.clear()
            layout = self._layouts[key] = self._lay_out(registry, app_label)
        return layout

    def _lay_out(self, registry, app_label: str | None) -> tuple[_AppEntry, ...]:
        """Every registered model (of the app), with its URLs, sorted as Django sorts the
        list: the apps by their lowercased names, the models by theirs (stable sorts: the
        models a user sees keep the same order)."""
        by_app: dict[str, list[_ModelEntry]] = {}
        for model, model_admin in registry:
            label = model._meta.app_label
            if app_label and label != app_label:
                continue
            by_app.setdefault(label, []).append(
                _ModelEntry(
                    model=model,
                    model_admin=model_admin,
                    name=capfirst(model._meta.verbose_name_plural),
                    changelist_url=self._url(f"{label}_{model._meta.model_name}_changelist"),
                    add_url=self._url(f"{label}_{model._meta.model_name}_add"),
                )
            )
        layout = [
            _AppEntry(
                label=label,
                name=apps.get_app_config(label).verbose_name,
                url=reverse("admin:app_list", kwargs={"app_label": label}, current_app=self.name),
                models=tuple(sorted(entries, key=lambda entry: str(entry.name))),
            )
            for label, entries in by_app.items()
        ]
        return tuple(sorted(layout, key=lambda app: str(app.name).lower()))

    def _url(self, name: str) -> str | None:
        try:
            return reverse(f"admin:{name}", current_app=self.name)
        except NoReverseMatch:
            return None
