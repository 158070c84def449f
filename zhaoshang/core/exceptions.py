from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ConcurrentEditError(ValidationError):
    """Somebody else saved the record after this writer loaded it."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "Someone else changed this record after you opened it. Reload the page to see "
                "their changes, then make yours again; nothing of yours was saved."
            ),
            code="concurrent_edit",
        )


class DateOutOfRange(ValueError):
    """A computation met a date it cannot handle (the working-day calendar's
    ``OutOfCalendar`` is one). ``date`` is the date at fault: the API and the pages turn
    the error into a 400 naming the submitted field that holds it (``core.dates``)."""

    def __init__(self, message="", date=None):
        super().__init__(message)
        self.date = date
