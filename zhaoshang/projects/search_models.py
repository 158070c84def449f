"""The projects' search grams (issue 19.3): what lets a search for a term few projects
match read those few, not every project of the district (``projects.search``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectSearchText(models.Model):
    """The searchable text of a project (name, code, enterprise name and credit code, the
    name's pinyin initials and full pinyin) as its grams were last made from: a project
    whose text now differs, or that has none, has grams to remake (``search.repair``)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    source = models.TextField()

    class Meta:
        verbose_name = _("project search text")

    def __str__(self) -> str:
        return self.source


class ProjectGram(models.Model):
    """One of the one-, two- and three-character pieces of a project's searchable text,
    folded (``search.fold``): the projects holding a piece are read off the index on
    (gram, project)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    gram = models.CharField(max_length=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gram", "project"], name="project_gram_postings")
        ]
        # A project's grams removed when they are remade.
        indexes = [models.Index(fields=["project"], name="project_gram_project")]
        verbose_name = _("project search gram")

    def __str__(self) -> str:
        return self.gram


_UNSEEN = object()


class ProjectSearched(models.Model):
    """A project's grams remade on save when its searched texts were changed (``search``):
    its name, code or enterprise, as loaded against as saved."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        now = self._searched()
        if now != getattr(self, "_searched_seen", None):
            from zhaoshang.projects.search import refresh

            refresh([self.pk])
            self._searched_seen = now

    def _searched(self) -> tuple:
        return tuple(
            self.__dict__.get(name, _UNSEEN)
            for name in ("name", "code", "enterprise_id", "name_initials", "name_pinyin")
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._searched_seen = instance._searched()
        return instance


class EnterpriseSearched(models.Model):
    """An enterprise whose name or credit code changed on save has its projects' grams
    remade (``search``: a project is found by its enterprise's)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        now = self._searched()
        if not adding and now != getattr(self, "_searched_seen", None):
            from zhaoshang.projects.search import refresh_enterprise

            refresh_enterprise(self.pk)
        self._searched_seen = now

    def _searched(self) -> tuple:
        return tuple(self.__dict__.get(name, _UNSEEN) for name in ("name", "credit_code"))

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._searched_seen = instance._searched()
        return instance
