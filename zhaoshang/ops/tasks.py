"""Tasks of the operations app."""

from django_tasks import task


@task()
def ping() -> str:
    """Proves a worker runs tasks (tests; ``manage.py shell -c`` when setting up a server)."""
    return "pong"
