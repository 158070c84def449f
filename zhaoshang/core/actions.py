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

A page that is a form (``form_post``, with ``form_page``), a form with rows (a formset:
``form_post(..., formsets=…)``, ``errors_to`` for a refusal that names a row) and a button
with nothing to fill in (``button_post``) answer the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

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
    """What ``run_service`` did: ``status`` is None on success, 400 or 409 otherwise
    (``error`` is then the service's refusal)."""

    status: int | None = None
    result: object = None
    stale: str = ""
    error: ValidationError | None = None

    @property
    def ok(self) -> bool:
        return self.status is None


def run_service(
    request,
    form,
    call: Callable[[], object],
    *,
    success=None,
    errors_to: Callable[[ValidationError], None] | None = None,
) -> Outcome:
    """Call a service for a page: on success flash ``success`` (a text, or a callable of
    the result giving a text or a ``(messages level, text)`` pair); a ``ConcurrentEditError``
    is 409 (``stale`` holds its message, for the page to show over the fresh record); any
    other ``ValidationError`` is 400 and puts every message on its form field, or goes to
    ``errors_to(error)`` when given (a refusal that names a row of a formset); with
    neither, the caller places ``Outcome.error`` itself."""
    try:
        result = call()
    except ConcurrentEditError as exc:
        return Outcome(status=409, stale=" ".join(exc.messages), error=exc)
    except ValidationError as exc:
        if errors_to is not None:
            errors_to(exc)
        elif form is not None:
            apply_service_errors(form, exc)
        return Outcome(status=400, error=exc)
    if success:
        said = success(result) if callable(success) else success
        level, text = said if isinstance(said, tuple) else (messages.SUCCESS, said)
        messages.add_message(request, level, str(text))
    return Outcome(result=result)


def all_valid(*forms) -> bool:
    """Whether every form and formset is valid, each one validated (no stopping at the
    first invalid one) so that the page shows all their errors at once."""
    results = [form.is_valid() for form in forms]
    return all(results)


def mark_invalid(*forms) -> None:
    """Draw the fields a service refused as invalid (red), like those the form refused
    itself: ``forms`` are forms or formsets."""
    for form in forms:
        for each in getattr(form, "forms", None) or [form]:
            for name in each.errors:
                field = each.fields.get(name)
                if field is None:
                    continue
                css = field.widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    field.widget.attrs["class"] = f"{css} is-invalid".strip()


def form_post(
    request,
    form,
    call: Callable,
    *,
    render_page: Callable,
    redirect_to,
    success=None,
    formsets: Iterable = (),
    errors_to: Callable[[ValidationError], None] | None = None,
):
    """A page's form: a GET draws ``render_page(form, status=200)``; on a POST a valid
    form calls ``call(cleaned_data)`` through
    ``run_service``; success flashes ``success`` (a text, or a callable of the service's
    result) and redirects to ``redirect_to`` (a URL, or a callable of the result); an
    invalid form or a refusal draws ``render_page(form, status=400)`` with every error on
    its field; a stale version ``render_page(form, status=409, stale=message)``, the
    input kept.

    ``formsets`` are the page's other parts posted with ``form`` (its rows): all are
    validated with it, every error shown at once, and the service is called only when
    all are valid. A refusal goes onto ``form``, or to ``errors_to(error)`` when given
    (a service that names the row at fault)."""
    if request.method != "POST":
        return render_page(form, status=200, stale="")
    if all_valid(form, *formsets):
        data = form.cleaned_data
        outcome = run_service(
            request, form, lambda: call(data), success=success, errors_to=errors_to
        )
        if outcome.ok:
            target = redirect_to(outcome.result) if callable(redirect_to) else redirect_to
            return redirect(target)
        mark_invalid(form, *formsets)
        return render_page(form, status=outcome.status, stale=outcome.stale)
    return render_page(form, status=400, stale="")


def button_post(
    request,
    call: Callable[[], object],
    *,
    redirect_to,
    success=None,
    render_page: Callable | None = None,
):
    """A POST with nothing to fill in (a button on a record's page): ``call()`` through
    ``run_service``; success flashes ``success`` and redirects to ``redirect_to`` (a URL,
    or a callable of the result). A refusal is flashed, every message of it, over
    ``render_page(status)``: 400, or 409 when someone else changed the record first (the
    page then reads it again). Without ``render_page`` the refusal goes back to
    ``redirect_to`` too (302), whose page shows the messages."""
    outcome = run_service(request, None, call, success=success)
    if outcome.ok:
        return redirect(redirect_to(outcome.result) if callable(redirect_to) else redirect_to)
    for message in outcome.error.messages:
        messages.error(request, message)
    if render_page is None:
        return redirect(redirect_to(None) if callable(redirect_to) else redirect_to)
    return render_page(status=outcome.status)


def form_page(
    request, template: str, *, more: Callable[[], dict] | None = None, **context
) -> Callable:
    """The ``render_page`` of ``form_post`` for a page that is its form: ``template``
    drawn with ``form`` and ``context`` (and ``more()``, what costs queries to read: only
    when the page is drawn, not before a redirect); a stale version is said above the
    fields."""

    def render_page(form, status, stale):
        if stale:
            form.add_error(None, stale)
        page = {**(more() if more is not None else {}), **context, "form": form}
        return render(request, template, page, status=status)

    return render_page


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

    def call(data):
        data = dict(data)
        version = data.pop("version", None)
        return action.run(request.user, record, data, version)

    def render_form(form, status, stale):
        if status == 409:
            return render_page(reload() if reload else record, stale=stale, status=409)
        return render_page(record, bound=form, status=status)

    return form_post(
        request,
        make_form(action, record, request.POST, request.FILES, record_kwarg=record_kwarg),
        call,
        render_page=render_form,
        redirect_to=lambda _result: redirect_to(record) if callable(redirect_to) else redirect_to,
        success=action.done,
    )


def record_action_view(
    request,
    queryset,
    pk,
    action: Action,
    *,
    template: str,
    context: Callable,
    record_kwarg: str | None = "record",
    redirect_to=None,
):
    """``action_view`` for the record ``pk`` of ``queryset`` (404 outside it) whose page
    is ``template`` drawn from ``context(request, record, bound=…, stale=…)``; a success
    goes to ``redirect_to`` (default: the record's URL), a 409 shows the record read
    again."""
    record = get_object_or_404(queryset, pk=pk)

    def render_page(record, bound=None, stale="", status=200):
        page = context(request, record, bound=bound, stale=stale)
        return render(request, template, page, status=status)

    return action_view(
        request,
        record,
        action,
        render_page=render_page,
        redirect_to=redirect_to or (lambda record: record.get_absolute_url()),
        record_kwarg=record_kwarg,
        reload=lambda: get_object_or_404(queryset, pk=pk),
    )


class api_action:  # noqa: N801 - used as a declaration in a viewset's body, like DRF's
    """The DRF viewset method for ``POST …/{id}/<slug>/``, declared in the viewset's body::

        accept = api_action(AcceptSerializer, "受理 …", action=ACTIONS["accept"])
        held = api_action(HeldSerializer, "…", run=..., allowed=permissions.can_manage)

    The handler reads the record (``get_object``: 404 outside the scope), checks
    ``allowed(user, record)`` (403), validates ``serializer`` (400 naming the field), calls
    ``run(user, record, data, version)`` (a stale version is 409: ``api.exceptions`` maps
    the error) and answers with the fresh record (the viewset's ``_respond``), 201 when
    ``created``. With ``action`` (a row of the app's ``ActionTable``), ``allowed``, ``run``
    and the slug are the action's: the page and the API take the same action.

    The method's name is the attribute's; the slug (URL path and name) is the action's or
    ``slug`` or the name. The documented answer is the viewset's ``serializer_class`` (or
    ``reply``, which then serializes what ``run`` returned); the errors are documented by
    the schema class for every operation. ``target(record, **url_kwargs)`` picks the row
    the action is on, under the record (``url_path`` and ``url_name`` then place it);
    ``parser_classes`` (file uploads) offers multipart and JSON in the schema."""

    def __init__(
        self,
        serializer: type,
        doc: str,
        *,
        action: Action | None = None,
        run: Callable | None = None,
        allowed: Callable | None = None,
        slug: str | None = None,
        created: bool = False,
        reply: type | None = None,
        target: Callable | None = None,
        url_path: str | None = None,
        url_name: str | None = None,
        parser_classes=None,
    ):
        if (action is None) == (run is None):
            raise TypeError("Give either an action or a run.")
        self.serializer = serializer
        self.doc = doc
        self.run = action.run if action is not None else run
        self.allowed = action.allowed if action is not None else allowed
        self.slug = action.slug if action is not None else slug
        self.created = created
        self.reply = reply
        self.target = target
        self.url_path = url_path
        self.url_name = url_name
        self.parser_classes = parser_classes

    def __set_name__(self, owner, name):
        setattr(owner, name, self.build(name, owner.serializer_class))

    def build(self, name: str, record_serializer: type):
        from drf_spectacular.utils import extend_schema
        from rest_framework import status
        from rest_framework.decorators import action as drf_action
        from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
        from rest_framework.response import Response

        spec = self
        code = status.HTTP_201_CREATED if self.created else status.HTTP_200_OK

        def handler(self, request, pk=None, **kwargs):
            record = self.get_object()
            subject = spec.target(record, **kwargs) if spec.target else record
            if spec.allowed is not None and not spec.allowed(request.user, subject):
                raise ApiPermissionDenied
            context = {**self.get_serializer_context(), "record": record}
            form = spec.serializer(data=request.data, context=context)
            form.is_valid(raise_exception=True)
            data = dict(form.validated_data)
            result = spec.run(request.user, subject, data, data.pop("version", None))
            if spec.reply is not None:
                return Response(spec.reply(result, context=context).data, status=code)
            return self._respond(record, code) if spec.created else self._respond(record)

        handler.__name__ = name
        handler.__doc__ = self.doc
        schema_request = self.serializer
        if self.parser_classes is not None:
            schema_request = {
                "multipart/form-data": self.serializer,
                "application/json": self.serializer,
            }
        responses = {code: self.reply or record_serializer}
        handler = extend_schema(request=schema_request, responses=responses)(handler)
        slug = self.slug or name
        options = {"parser_classes": self.parser_classes} if self.parser_classes else {}
        return drf_action(
            detail=True,
            methods=["post"],
            url_path=self.url_path or slug,
            url_name=self.url_name or slug,
            serializer_class=self.serializer,
            **options,
        )(handler)
