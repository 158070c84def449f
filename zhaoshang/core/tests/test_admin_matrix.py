"""The Django admin's permission matrix: every admin URL (changelist, add, change, delete,
history, revert) × every registered model × an own- and an other-district object × every
role of the world and a superuser.

Generated from ``admin.site._registry``: a model registered later is in the matrix without
editing this file. Its objects come from the world, from ``FACTORIES`` or, failing both,
from a generic builder filling the required fields; ``test_every_registered_model_has_objects``
names a model none of them can build.

Expected: a role other than ``admin`` has no access (the log-in page; made staff, a 403:
``test_staff_of_the_other_roles_is_refused``); the district administrator gets
what its permissions give on its own district's object and a 404 on the other district's
(never a 302 or a 200); a superuser gets everything. No page answers 500.
"""

from __future__ import annotations

import itertools
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from zhaoshang.core.admin_base import admin_district_path, is_tracked, scope
from zhaoshang.testing import FROZEN_NOW, ROLE_USERS, assert_statuses, each_person
from zhaoshang.testing.matrix import status_client

PEOPLE = [*ROLE_USERS, "superuser"]
KINDS = ("changelist", "add", "change", "delete", "history", "revert")
MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)
_counter = itertools.count(1)


# ---- objects of each model in each district --------------------------------------------


def _user(world, tag):
    # A plain member of the district (not an administrator: editable by its admin).
    return world.user_bureau if tag == "a" else world.user_bureau_b


def _notification(world, tag):
    from zhaoshang.notifications.models import Notification

    return Notification.objects.create(recipient=_user(world, tag), verb="test", title="待办")


def _outbox(world, tag):
    from zhaoshang.notifications.models import OutboxMessage

    return OutboxMessage.objects.create(
        notification=_notification(world, tag), channel="email", address="a@example.cn"
    )


def _event(world, tag):
    from zhaoshang.core.models import DomainEvent

    project = getattr(world, f"project1_{tag}")
    return DomainEvent.objects.create(
        verb="project.updated",
        summary=f"项目更新 {tag}",
        district=project.district,
        content_type=ContentType.objects.get_for_model(project),
        object_id=project.pk,
    )


FACTORIES = {
    "org.User": _user,
    "notifications.Notification": _notification,
    "notifications.OutboxMessage": _outbox,
    "core.DomainEvent": _event,
}


def _value(field, model, district, world, tag):
    """A valid value of a required field, or raise LookupError."""
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        related = field.related_model
        if related._meta.label == "org.District":
            return district
        return object_in(world, related, tag)
    if isinstance(field, models.FileField):
        return ContentFile(b"%PDF-1.4 test", name="test.pdf")
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DateTimeField):
        return FROZEN_NOW
    if isinstance(field, models.DateField):
        return FROZEN_NOW.date()
    if isinstance(field, models.DecimalField):
        return Decimal("1")
    if isinstance(field, models.FloatField):
        return 1.0
    if isinstance(field, models.IntegerField):
        # Unique ones, and generic object ids (often unique together with a kind).
        return next(_counter) if field.unique or field.name.endswith("_id") else 1
    if isinstance(field, models.CharField | models.TextField):
        text = f"t{tag}{next(_counter)}"
        return text[: field.max_length] if field.max_length else text
    raise LookupError(f"{model._meta.label}.{field.name}: no value for {type(field).__name__}")


def _build(model, world, tag):
    """A row of ``model`` in the district, its required fields filled generically."""
    district = getattr(world, f"district_{tag}")
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.has_default() or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if field.blank and field.empty_strings_allowed and not field.is_relation:
            continue
        values[field.name] = _value(field, model, district, world, tag)
    with transaction.atomic():
        return model._default_manager.create(**values)


def object_in(world, model, tag):
    """One row of ``model`` in district ``tag`` ('a' or 'b'): the world's, a factory's or a
    generically built one."""
    label = model._meta.label
    if label in FACTORIES:
        return FACTORIES[label](world, tag)
    path = admin_district_path(model)
    district = getattr(world, f"district_{tag}")
    rows = model._default_manager.all()
    if path is not None:
        rows = scope(rows, SimpleNamespace(is_superuser=False, district_id=district.pk), path)
    found = rows.order_by("pk").first()
    return found if found is not None else _build(model, world, tag)


# ---- the requests -----------------------------------------------------------------------


@pytest.fixture
def people(world, sessions):
    """A logged-in client per person: the role users as the world has them (the district
    administrator is staff, the others not), carrying their stored sessions, and a
    superuser without a district."""
    from zhaoshang.org.models import User

    User.objects.filter(username="admin").update(is_staff=True)
    root = User.objects.create(username="root", is_staff=True, is_superuser=True)
    clients = {}
    for who in PEOPLE:
        if who == "superuser":
            client = status_client()
            client.force_login(root)
            user = root
        else:
            client = status_client(sessions[who])
            user = User.objects.get(username=who)
        clients[who] = SimpleNamespace(client=client, user=user)
    return clients


def _url(model, kind, obj=None, version=None):
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if kind in ("changelist", "add"):
        return reverse(f"{info}_{kind}")
    if kind == "revert":
        return reverse(f"{info}_simple_history", args=[obj.pk, version])
    return reverse(f"{info}_{kind}", args=[obj.pk])


def _version(model, obj):
    """The newest historical record of ``obj`` (one is written if it has none)."""
    history = getattr(model, model._meta.simple_history_manager_attribute)
    record = history.filter(**{model._meta.pk.attname: obj.pk}).order_by("-history_id").first()
    if record is None:
        history.bulk_history_create([obj])
        record = history.filter(**{model._meta.pk.attname: obj.pk}).latest("history_id")
    return record.history_id


def _expected(model_admin, person, who, kind, target, obj) -> int:
    if who == "enterprise":
        return 403  # enterprise accounts reach only the portal (middleware)
    if who not in ("admin", "superuser"):
        return 302  # to the admin's log-in page: not staff
    request = RequestFactory().get("/admin/")
    request.user = person.user
    if not model_admin.has_view_or_change_permission(request):
        return 403
    if target == "other" and who == "admin":
        return 404
    allowed = {
        "changelist": True,
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_view_or_change_permission(request, obj),
        "delete": model_admin.has_delete_permission(request, obj),
        "history": model_admin.has_view_or_change_permission(request, obj),
        "revert": model_admin.has_view_or_change_permission(request, obj),
    }[kind]
    return 200 if allowed else 403


def _targets(world, model):
    if admin_district_path(model) is None:  # national data: one row for everybody
        return {"own": object_in(world, model, "a")}
    return {"own": object_in(world, model, "a"), "other": object_in(world, model, "b")}


def test_every_registered_model_has_objects(world):
    """Each registered model gets an object in each district (a new model the generic
    builder cannot make needs an entry in FACTORIES)."""
    missing = []
    for model in MODELS:
        try:
            with transaction.atomic():
                _targets(world, model)
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - reported with the model's name
            missing.append(f"{model._meta.label}: {type(exc).__name__}: {exc}")
    assert not missing, "add these models to FACTORIES:\n  " + "\n  ".join(missing)


def _check_changelists(model, people) -> list[str]:
    """The superuser's changelist (both districts' rows) repeats no statement per row; the
    district administrator's related-field filters offer only rows they may reach."""
    wrong = []
    url = _url(model, "changelist")
    with CaptureQueriesContext(connection) as queries:
        people["superuser"].client.get(url)
    seen: dict[str, int] = {}
    for query in queries.captured_queries:
        key = _normalised(query["sql"])
        seen[key] = seen.get(key, 0) + 1
    # (The changelist counts the filtered and the full list: the same COUNT when unfiltered.)
    wrong += [
        f"a query per row: {sql}"
        for sql, n in seen.items()
        if n > 1 and not sql.startswith(("SAVEPOINT", "SELECT COUNT"))
    ]
    admin_user = people["admin"]
    client = Client()  # one that keeps the context, logged in as the district admin
    client.handler, client.cookies = admin_user.client.handler, admin_user.client.cookies
    response = client.get(url)
    if response.status_code != 200:
        return wrong
    for spec in response.context["cl"].filter_specs:
        if isinstance(spec, RelatedFieldListFilter):
            offered = {pk for pk, _label in spec.lookup_choices}
            outside = offered - _scoped_pks(spec.field.related_model, admin_user.user)
            if outside:
                wrong.append(f"the filter {spec.field_path} offers {sorted(outside)}")
    return wrong


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_matrix(world, people, model):
    model_admin = admin.site._registry[model]
    targets = _targets(world, model)
    wrong = [f"{model._meta.label}: {problem}" for problem in _check_changelists(model, people)]
    kinds = [k for k in KINDS if k != "revert" or is_tracked(model)]
    for kind in kinds:
        for target, obj in targets.items() if kind not in ("changelist", "add") else [("-", None)]:
            version = _version(model, obj) if kind == "revert" else None
            url = _url(model, kind, obj, version)

            def status(who, url=url):
                return people[who].client.get(url).status_code

            got = each_person(PEOPLE, status)
            expected = {
                who: _expected(model_admin, people[who], who, kind, target, obj) for who in PEOPLE
            }
            try:
                assert_statuses(got, expected, f"GET {url} ({kind}, {target})")
            except AssertionError as exc:
                wrong.append(str(exc))
    assert not wrong, "\n".join(wrong)


def test_staff_of_the_other_roles_is_refused(world, people):
    """Made staff (only a superuser can), a user of another role still has no admin rights:
    403 on every model's changelist and on the admin's index no model is listed."""
    from zhaoshang.org.models import User

    others = [who for who in ROLE_USERS if who != "admin"]
    User.objects.filter(username__in=others).update(is_staff=True)
    wrong = []
    for who in others:
        client = people[who].client
        for model in MODELS:
            status = client.get(_url(model, "changelist")).status_code
            if status != 403:
                wrong.append(f"{who} {model._meta.label}: {status}")
        index = Client()
        index.handler, index.cookies = client.handler, client.cookies
        response = index.get(reverse("admin:index"))
        assert response.status_code == 403 or not response.context["app_list"], who
    assert not wrong, "\n".join(wrong)


def test_no_revert_page_without_versions():
    """Models without django-simple-history have Django's change log as their history and
    no revert page (which answered 500 before)."""
    for model in MODELS:
        if not is_tracked(model):
            info = f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history"
            with pytest.raises(NoReverseMatch):
                reverse(info, args=[1, 1])


# ---- what the district administrator's pages offer --------------------------------------


def _scoped_pks(model, user):
    return set(
        scope(model._default_manager.all(), user, admin_district_path(model)).values_list(
            "pk", flat=True
        )
    )


def _normalised(sql: str) -> str:
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def _autocomplete_sources():
    for model, model_admin in admin.site._registry.items():
        for source in [model_admin, *model_admin.inlines]:
            source_model = source.model if source is not model_admin else model
            for name in getattr(source, "autocomplete_fields", ()):
                yield pytest.param(source_model, name, id=f"{source_model._meta.label}.{name}")


@pytest.mark.parametrize(("source_model", "field_name"), list(_autocomplete_sources()))
def test_autocomplete_offers_only_the_district(world, people, source_model, field_name):
    """admin:autocomplete answers the district administrator with their district's rows."""
    remote = source_model._meta.get_field(field_name).related_model
    theirs = object_in(world, remote, "a")
    other = object_in(world, remote, "b")
    admin_user = people["admin"]
    response = admin_user.client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": source_model._meta.app_label,
            "model_name": source_model._meta.model_name,
            "field_name": field_name,
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {str(row["id"]) for row in json.loads(response.content)["results"]}
    assert ids
    if admin_district_path(remote) is not None:  # national data is the same for everybody
        assert str(theirs.pk) in ids
        assert str(other.pk) not in ids
    assert ids <= {str(pk) for pk in _scoped_pks(remote, admin_user.user)}
