"""REST API of meetings and supervised action items (SPEC §10, §19): ``meetings`` and
``action-items``. Rows are scoped like the pages (``visible_to``); every change goes
through the services; action items carry ``days_left`` and ``light`` computed in SQL."""

from zhaoshang.meetings.api.action_items import ActionItemSerializer, ActionItemViewSet
from zhaoshang.meetings.api.meetings import MeetingSerializer, MeetingViewSet

__all__ = ["ActionItemSerializer", "ActionItemViewSet", "MeetingSerializer", "MeetingViewSet"]
