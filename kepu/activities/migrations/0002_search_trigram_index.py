"""A trigram index on the folded search text, on PostgreSQL only.

Substring search (`search_text LIKE '%term%'`) then stays fast at national scale. SQLite keeps
the plain scan, which is fast enough at the size an embedded install holds.
"""

from django.db import migrations

from kepu.core.migration_ops import postgresql_only

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS activity_search_trgm ON activities_activity "
    "USING gin (search_text gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS activity_search_trgm"]


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [postgresql_only(CREATE, DROP)]
