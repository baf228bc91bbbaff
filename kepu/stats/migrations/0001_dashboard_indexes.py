"""A covering index for the campaign dashboard (kepu.stats.selectors.grouped_all).

The dashboard reads every counted activity of a campaign tree, but only a few narrow columns;
with them in the index PostgreSQL scans the index alone (index-only scan) instead of the wide
activity rows (description, search text). PostgreSQL only: SQLite has no INCLUDE and holds
development-sized data.

The sign-up counters (confirmed_count, waitlist_count) stay out of it on purpose: an index that
holds a column makes every UPDATE of it a non-HOT update that writes every index of the table
(fourteen, a trigram one among them). With confirmed_count in this index a sign-up burst ran
at half the speed; the dashboard reads that one column from the table instead.
"""

from django.db import migrations

from kepu.core.migration_ops import postgresql_only

INDEX = "stats_activity_dashboard_cover"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON activities_activity (campaign_id, status) "
    "INCLUDE (id, organisation_id, region_id, joint_action_id, kind, format, starts_at, is_key)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
        ("results", "0001_initial"),
    ]

    operations = [postgresql_only([CREATE], [f"DROP INDEX IF EXISTS {INDEX}"])]
