"""Removing the demo city again (``load_demo --reset``): every record of the demo districts,
their people (the city-level demo account too) and the change history of those records.

Set-based (``QuerySet.delete()`` walks every relation row by row): each model's rows are
selected through its relations, so the reset keeps working as apps are added; the history goes
first, then each model in one DELETE (no signals: no "deleted" history rows) before the models
its selection reads. Other rows' SET_NULL keys are cleared; anything else still pointing at a
removed row fails the constraint check."""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection
from django.db.models import CASCADE, SET_NULL, FileField, Q

from zhaoshang.core.imports.progress import progress_name
from zhaoshang.core.models import DomainEvent, ImportBatch
from zhaoshang.demo.ops import LOAD_HOST
from zhaoshang.ops.models import JobRun
from zhaoshang.org.models import District, User

CITY_USERNAMES = ("city",)


def demo_users(district_ids) -> Q:
    """The people of the demo districts: staff, their enterprises' accounts, the city user."""
    return (
        Q(district_id__in=district_ids)
        | Q(enterprise__district_id__in=district_ids)
        | Q(username__in=CITY_USERNAMES, district__isnull=True)
    )


def _keys(model):  # its foreign keys
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model]


def _models(history: bool) -> list:
    """The models (m2m tables too), or their django-simple-history models."""
    found = apps.get_models(include_auto_created=True)
    return [m for m in found if hasattr(m, "instance_type") == history]


def _district_key(model):
    return next((key for key in _keys(model) if key.name == "district"), None)


class Purge:
    """``terms[model]``: what selects the rows that go, each a Q (the districts, their people,
    the load's job runs, the rows of a district) or a foreign key into the parent's selection;
    ``history[model]`` the same for the history models."""

    def __init__(self, district_ids, user_ids):
        self.terms = {District: [Q(pk__in=district_ids)], User: [Q(pk__in=user_ids)]}
        self.terms |= {JobRun: [Q(host=LOAD_HOST)], DomainEvent: [Q(actor_id__in=user_ids)]}
        records = _models(history=False)
        for model in filter(_district_key, records):
            self.terms.setdefault(model, []).append(Q(district_id__in=district_ids))
        grown = True
        while grown:  # the rows that go with a selected row
            grown = False
            for model, key in ((m, k) for m in records for k in _keys(m)):
                if self._follows(model, key) and key not in self.terms.get(model, ()):
                    self.terms.setdefault(model, []).append(key)
                    grown = True
        self.history = {}
        for model in _models(history=True):
            record, keys = model.instance_type, _keys(model)
            terms = [Q(id__in=self.selected(record).values("pk"))] if record in self.terms else []
            terms += [k for k in keys if k.name == "district" or self._follows(model, k)]
            if terms:
                self.history[model] = terms

    def _follows(self, model, key) -> bool:
        """Whether rows go with the selected rows ``key`` points at: by a CASCADE, or any key
        but to a person of a model without a district (a complaint's extension; a history
        row of a case's pause deleted before)."""
        parent = key.related_model
        if parent not in self.terms or parent is model:
            return False
        return key.remote_field.on_delete is CASCADE or not (_district_key(model) or parent is User)

    def selected(self, model):
        """The rows of ``model`` that go (a lazy queryset, read when it runs)."""
        q = Q()
        for term in self.terms.get(model) or self.history[model]:
            if not isinstance(term, Q):
                term = Q(**{f"{term.name}__in": self.selected(term.related_model).values("pk")})
            q |= term
        return model._base_manager.filter(q)

    def stored_files(self) -> list[str]:
        """The stored files of the selected records (documents, photos, minutes …)."""
        found = []
        for model in self.terms:
            fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, FileField)]
            for row in self.selected(model).values_list(*fields) if fields else ():
                found.extend(name for name in row if name)
        return sorted(set(found))

    def steps(self) -> list:
        """The history; then each model, and each SET_NULL key to a selected row, before the
        models their selection reads."""
        order = TopologicalSorter()
        for model, terms in self.terms.items():
            order.add(model)
            for key in terms:
                if not isinstance(key, Q):
                    order.add(key.related_model, model)
        for model in _models(history=False) + _models(history=True):
            for key in _keys(model):
                if key.remote_field.on_delete is SET_NULL and key.related_model in self.terms:
                    order.add(key, *[model] * (model in self.terms))
                    order.add(key.related_model, key)
        try:
            records = list(order.static_order())
        except CycleError as exc:
            raise RuntimeError(f"Cannot order the removal of the demo: {exc.args[1]}") from exc
        return [*self.history, *records]

    def run(self) -> None:
        for step in self.steps():
            if isinstance(step, type):
                rows = self.selected(step)
                rows._raw_delete(rows.db)
            else:  # a SET_NULL key of the rows that stay
                parents = self.selected(step.related_model).values("pk")
                rows = step.model._base_manager.filter(**{f"{step.name}__in": parents})
                rows.update(**{step.name: None})


def _progress_files(purge: Purge) -> list[str]:
    """The progress files of the removed import batches (``core.imports.progress``: a file
    per batch beside the records, not a file field, kept after its run ends)."""
    ids = purge.selected(ImportBatch).values_list("pk", flat=True)
    return [name for pk in ids if default_storage.exists(name := progress_name(pk))]


def purge_districts(codes) -> list[str]:
    """Delete the districts with these codes and everything of theirs; return the names of
    the stored files that belonged to them (the caller deletes them once committed)."""
    district_ids = list(District.objects.filter(code__in=codes).values_list("pk", flat=True))
    if not district_ids:
        return []
    user_ids = list(User.objects.filter(demo_users(district_ids)).values_list("pk", flat=True))
    purge = Purge(district_ids, user_ids)
    files = purge.stored_files() + _progress_files(purge)
    purge.run()
    try:  # nothing may still point at a removed row (a PROTECT from another district's)
        connection.check_constraints()
    except IntegrityError as exc:
        raise RuntimeError(f"Cannot remove the demo districts: {exc}") from exc
    return files
