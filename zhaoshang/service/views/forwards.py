"""报送主要领导: the leader in charge forwards a receipt or a problem to the principal
leaders (the form), and the principal leaders' inbox of what was forwarded to them (with
the read state; the sender sees their own forwarded items there too)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from zhaoshang.core.actions import form_page, form_post
from zhaoshang.core.views_helpers import paginate
from zhaoshang.service import permissions, services
from zhaoshang.service.forms import ForwardForm
from zhaoshang.service.models import Forward, Need, Receipt


def _forward_page(request, *, receipt=None, need=None):
    subject = receipt or need
    if not permissions.can_forward(request.user, receipt=receipt, need=need):
        raise PermissionDenied
    leaders = services.forward_recipients(request.user, subject.district_id)
    form = ForwardForm(request.POST or None, leaders=leaders)

    def send(data):
        return services.forward(
            request.user,
            receipt=receipt,
            need=need,
            note=data["note"],
            recipients=list(data["recipients"]) or None,
        )

    return form_post(
        request,
        form,
        send,
        render_page=form_page(
            request,
            "service/forward_form.html",
            subject=subject,
            project=subject.project,
            is_receipt=receipt is not None,
            leaders=leaders,
        ),
        redirect_to=subject.get_absolute_url(),
        success=lambda rows: (
            _("Forwarded to %(names)s.")
            % {"names": "、".join(r.recipient.display_name for r in rows)}
        ),
    )


@login_required
def forward_receipt(request, pk):
    receipt = get_object_or_404(
        Receipt.objects.visible_to(request.user).select_related("project", "addressee"), pk=pk
    )
    return _forward_page(request, receipt=receipt)


@login_required
def forward_need(request, pk):
    need = get_object_or_404(Need.objects.visible_to(request.user).select_related("project"), pk=pk)
    return _forward_page(request, need=need)


def unread_first():
    """Ordering of an inbox (receipts, forwarded items): the unread ones first; the caller
    then orders each part newest first — never the read ones by when they were read."""
    return Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    ).asc()


def filtered_forwarded(request):
    """The forwarded items the query string asks for (the home's count uses it too):
    ``(sent, rows)``."""
    user = request.user
    sent = bool(request.GET.get("sent"))
    qs = Forward.objects.visible_to(user).filter(**{"sent_by" if sent else "recipient": user})
    if request.GET.get("unread"):
        qs = qs.unread()
    return sent, qs


@login_required
def forwarded(request):
    """What was forwarded to the user (a principal leader), unread first; ``?sent=1``: what
    the user forwarded, with whether each principal leader has read it."""
    user = request.user
    sent, qs = filtered_forwarded(request)
    unread_total = Forward.objects.filter(recipient=user).unread().count()
    qs = qs.select_related(
        "project", "receipt__department", "need__department", "sent_by", "recipient"
    ).order_by(unread_first(), "-sent_at", "-id")  # then the newest, read or not
    page = paginate(request, qs)
    return render(
        request,
        "service/forwarded.html",
        {
            "page": page,
            "count": page.paginator.count,
            "sent": sent,
            "only_unread": bool(request.GET.get("unread")),
            "unread_total": unread_total,
            "is_principal": user.is_principal_leader,
        },
    )


@login_required
def open_forward(request, pk):
    """Open a forwarded item: the principal leader's reading is recorded, then the receipt
    or the problem itself is shown."""
    item = get_object_or_404(Forward.objects.visible_to(request.user), pk=pk)
    services.mark_forward_read(request.user, item)
    return redirect(item.subject_url)


def forwards_of(subject) -> list[Forward]:
    """The forwarded rows of a receipt or a problem, for its page (one query)."""
    return list(subject.forwards.select_related("sent_by", "recipient").order_by("sent_at", "id"))


__all__ = ["forward_need", "forward_receipt", "forwarded", "forwards_of", "open_forward"]
