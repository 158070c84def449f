"""One action machinery for every record that moves through states (approval cases,
complaints, exit warnings, inspection requests, action items …).

An app declares its actions once, in ``<app>/actions.py``, as an ``ActionTable`` of
``Action`` rows: who may take each, when it applies, the form (whose field names are the
keys of the service's errors) and the service call. From that one table:

- the record's page shows the action panel (``panel``): one form per action the user may
  take now, each posting to its own URL;
- the page view (``action_view``) checks, validates, calls the service through
  ``run_service`` and answers 302, 400 with every error on its field, or 409 when someone
  else changed the record first;
- the API (``api_action``) does the same for ``POST /<resource>/{id}/<slug>/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.forms import apply_service_errors


@dataclass(frozen=True)
class Action:
    """One thing a user can do to a record: who may, when it applies, and the service call.

    ``run(user, record, data, version)`` calls the service with the form's cleaned data
    (``version`` popped); ``done`` is the message shown after it succeeded."""

    slug: str
    label: object
    form: type
    allowed: Callable
    applies: Callable
    run: Callable
    done: object
    style: str = "outline-primary"


class ActionTable:
    """The actions of one kind of record, in the order the panel shows them."""

    def __init__(self, actions: Iterable[Action]):
        self.actions = list(actions)
        self.by_slug = {a.slug: a for a in self.actions}
        if len(self.by_slug) != len(self.actions):
            raise ValueError("Two actions share a slug.")

    def __iter__(self):
        return iter(self.actions)

    def __getitem__(self, slug: str) -> Action:
        return self.by_slug[slug]

    def __contains__(self, slug: str) -> bool:
        return slug in self.by_slug

    def get(self, slug: str, default=None):
        return self.by_slug.get(slug, default)

    def available(self, user, record) -> list[Action]:
        """The actions ``user`` may take on ``record`` now."""
        return [a for a in self.actions if a.applies(record) and a.allowed(user, record)]


def make_form(action: Action, record, data=None, files=None, *, record_kwarg: str | None = None):
    """The action's form, its ids prefixed by the slug so several forms share a page."""
    kwargs = {"auto_id": f"id_{action.slug}_%s"}
    if record_kwarg:
        kwargs[record_kwarg] = record
    form = action.form(**kwargs) if data is None else action.form(data, files, **kwargs)
    form.action = action.slug
    return form


def panel(
    user,
    record,
    table: ActionTable,
    url_for: Callable[[Action], str],
    *,
    bound=None,
    record_kwarg: str | None = None,
) -> list[tuple[Action, object, str]]:
    """(action, form, url) for each action the user may take now; a form refused a moment
    ago (``bound``) is shown again with its errors instead of a blank one."""
    rows = []
    for action in table.available(user, record):
        form = (
            bound if bound is not None and getattr(bound, "action", None) == action.slug else None
        )
        if form is None:
            form = make_form(action, record, record_kwarg=record_kwarg)
        rows.append((action, form, url_for(action)))
    return rows


@dataclass
class Outcome:
    """What ``run_service`` did: ``status`` is None on success, 400 or 409 otherwise."""

    status: int | None = None
    result: object = None
    stale: str = ""

    @property
    def ok(self) -> bool:
        return self.status is None


def run_service(request, form, call: Callable[[], object], *, success=None) -> Outcome:
    """Call a service for a page: on success flash ``success``; a ``ConcurrentEditError``
    is 409 (``stale`` holds its message, for the page to show over the fresh record); any
    other ``ValidationError`` puts every message on its form field and is 400."""
    try:
        result = call()
    except ConcurrentEditError as exc:
        return Outcome(status=409, stale=" ".join(exc.messages))
    except ValidationError as exc:
        if form is not None:
            apply_service_errors(form, exc)
        return Outcome(status=400)
    if success:
        messages.success(request, str(success))
    return Outcome(result=result)


def action_view(
    request,
    record,
    action: Action,
    *,
    render_page: Callable,
    redirect_to,
    record_kwarg: str | None = None,
    reload: Callable | None = None,
):
    """The POST of one action from a record's page.

    ``render_page(record, bound=None, stale="", status=200)`` draws the page again;
    ``redirect_to`` is where a success goes (a URL or a callable of the record);
    ``reload()`` reads the record again after a 409 (the page then shows the fresh state)."""
    if not action.allowed(request.user, record):
        raise PermissionDenied
    form = make_form(action, record, request.POST, request.FILES, record_kwarg=record_kwarg)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        outcome = run_service(
            request,
            form,
            lambda: action.run(request.user, record, data, version),
            success=action.done,
        )
        if outcome.ok:
            target = redirect_to(record) if callable(redirect_to) else redirect_to
            return redirect(target)
        if outcome.status == 409:
            fresh = reload() if reload else record
            return render_page(fresh, stale=outcome.stale, status=409)
    return render_page(record, bound=form, status=400)


def api_action(
    name: str,
    slug: str,
    doc: str,
    *,
    serializers: dict,
    actions,
    responses: dict,
    parser_classes=None,
):
    """The DRF viewset method ``name`` for the action ``slug`` (``POST …/{id}/<slug>/``):
    the same permission check and service as the page, after validating its serializer,
    answering with the fresh record (the viewset's ``_respond``). Refusals are 403; bad
    input 400 naming the field; a stale version 409 (``api.exceptions`` maps the error).
    With ``parser_classes`` (file uploads) the schema offers multipart and JSON."""
    from drf_spectacular.utils import extend_schema
    from rest_framework.decorators import action as drf_action
    from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied

    serializer_class = serializers[slug]

    def handler(self, request, pk=None):
        record = self.get_object()
        spec = actions[slug]
        if not spec.allowed(request.user, record):
            raise ApiPermissionDenied
        form = serializer_class(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        spec.run(request.user, record, data, data.pop("version", None))
        return self._respond(record)

    handler.__name__ = name
    handler.__doc__ = doc
    schema_request = serializer_class
    if parser_classes is not None:
        schema_request = {
            "multipart/form-data": serializer_class,
            "application/json": serializer_class,
        }
    handler = extend_schema(request=schema_request, responses=responses)(handler)
    options = {"parser_classes": parser_classes} if parser_classes is not None else {}
    return drf_action(
        detail=True,
        methods=["post"],
        url_path=slug,
        url_name=slug,
        serializer_class=serializer_class,
        **options,
    )(handler)
