"""Background delivery of the outbox (Django tasks API)."""

from django_tasks import task

from zhaoshang.notifications.services import deliver_pending


@task()
def deliver_outbox() -> int:
    return deliver_pending()
