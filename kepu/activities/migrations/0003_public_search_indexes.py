"""Indexes for the public search and lists, on PostgreSQL only (SQLite scans, fast enough there).

- ``activity_public_starts``: public activities in result order (start time, id), with the end
  time as a third key so that "not yet ended" is checked inside the index. The search asks for
  one page ordered by start time; PostgreSQL walks this index from the lower bound and stops
  after the page, instead of sorting every match. The ``(status, starts_at)`` index of the
  model cannot give this order for the two public statuses together.
- ``activity_public_duration``: the longest public activity in one index read; the search turns
  "ends after T" into "starts after T − longest", the start of the walk above
  (kepu.activities.selectors.search_public_activities).
"""

from django.db import migrations

from kepu.core.migration_ops import postgresql_only

PUBLIC = "status IN ('published', 'finished')"
CREATE = [
    "CREATE INDEX IF NOT EXISTS activity_public_starts ON activities_activity "
    f"(starts_at, id, ends_at) WHERE {PUBLIC}",
    "CREATE INDEX IF NOT EXISTS activity_public_duration ON activities_activity "
    f"((ends_at - starts_at)) WHERE {PUBLIC}",
    "ANALYZE activities_activity",
]
DROP = [
    "DROP INDEX IF EXISTS activity_public_starts",
    "DROP INDEX IF EXISTS activity_public_duration",
]


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_search_trigram_index")]

    operations = [postgresql_only(CREATE, DROP)]
