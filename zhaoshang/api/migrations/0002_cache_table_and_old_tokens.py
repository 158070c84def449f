"""The database cache's table, and the keys of DRF's old one-per-user tokens.

- ``createcachetable`` for every database cache in CACHES (the ``limits`` cache when
  REDIS_URL is unset), so ``migrate`` (``make setup``) is all a deployment needs; it does
  nothing for Redis caches and for a table that exists.
- The tokens of ``rest_framework.authtoken`` (no longer installed) become ``ApiToken`` rows
  holding only the keys' SHA-256 digests, valid for ``API_TOKEN_TTL_DAYS`` from the
  migration, so programs keep working until then; the clear keys are deleted.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.management import call_command
from django.db import migrations
from django.utils import timezone


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def adopt_old_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("api", "ApiToken")
    now = timezone.now()
    expires = now + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('key')}, {quote('user_id')}, {quote('created')} "
            f"FROM {quote('authtoken_token')}"
        )
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user_id,
                name="",
                key_digest=hashlib.sha256(key.encode()).hexdigest(),
                prefix=key[:8],
                created_at=created or now,
                expires_at=expires,
            )
            for key, user_id, created in rows
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote('authtoken_token')}")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
        migrations.RunPython(adopt_old_tokens, migrations.RunPython.noop),
    ]
