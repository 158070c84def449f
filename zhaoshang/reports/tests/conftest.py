from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture
def english(settings):
    """English messages, in the test's own code and in every request it makes."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    yield
