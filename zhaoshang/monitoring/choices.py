"""Choices of monitoring (SPEC §11): the timed things that carry a light and the steps of
the escalation chain."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.lights import (  # noqa: F401 (monitoring's own modules read them here)
    DEADLINE_LIGHTS,
    DEADLINE_SUBJECTS,
    DEFAULT_RED_GAP,
    DEFAULT_YELLOW_GAP,
    DEFAULT_YELLOW_WORKDAYS,
    Light,
    Subject,
)


class Level(models.IntegerChoices):
    """How far up the chain a yellow or red light has gone."""

    NONE = 0, _("Not escalated")
    SECRETARY = 1, _("Project secretary")
    MANAGER = 2, _("Project manager")
    LEADER = 3, _("Leader in charge")
    MEETING = 4, _("Joint meeting")


# The defaults of the rule table (SPEC §11) are core's: yellow from 1 working day before the
# deadline; against planned progress, yellow from 10 and red beyond 30 points below plan.
# Working days a light stays yellow or red before it goes to the next step of the chain.
DEFAULT_ESCALATION = {
    Level.SECRETARY: 0,
    Level.MANAGER: 2,
    Level.LEADER: 5,
    Level.MEETING: 10,
}
