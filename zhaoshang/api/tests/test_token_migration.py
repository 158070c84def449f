"""The migration that adopts the old one-per-user ``rest_framework.authtoken`` tokens."""

from __future__ import annotations

import datetime
import importlib

from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from zhaoshang.api.models import ApiToken, digest

migration = importlib.import_module("zhaoshang.api.migrations.0002_cache_table_and_old_tokens")


class _Editor:
    connection = connection


def test_old_tokens_keep_working_as_digests_and_leave_the_old_table(world, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL UNIQUE)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created datetime NOT NULL, user_id bigint NOT NULL UNIQUE)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, timezone.now() - datetime.timedelta(days=400), world.user_bureau.pk],
        )
    try:
        migration.adopt_old_tokens(apps, _Editor())
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0  # the clear keys are gone
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
    token = ApiToken.objects.get(key_digest=digest(key))
    assert token.user == world.user_bureau
    assert token.expires_at == timezone.now() + datetime.timedelta(days=30)
    response = Client().get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_without_the_old_table_nothing_happens(db):
    before = ApiToken.objects.count()
    migration.adopt_old_tokens(apps, _Editor())
    assert ApiToken.objects.count() == before
