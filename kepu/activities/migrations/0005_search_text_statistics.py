"""A finer sample of the search text for PostgreSQL's planner, on PostgreSQL only.

The search filters ``search_text LIKE '%term%'`` and wants the page in start order. PostgreSQL
estimates how many activities match from a histogram of the column; with the default hundred
entries a common two-character word (讲座, 科普: too short for the trigram index) matches none
of them, the planner takes the word for nearly absent, and it collects and sorts every upcoming
activity (≈ 60 ms at 100,000 activities) instead of walking the start-time index and stopping
after one page (≈ 5 ms). A thousand entries estimate such words within a few tenths of a per
cent. See docs/performance.md.
"""

from django.db import migrations

from kepu.core.migration_ops import postgresql_only

TARGET = 1000


def set_target(target: int) -> list[str]:
    return [
        f"ALTER TABLE activities_activity ALTER COLUMN search_text SET STATISTICS {target}",
        "ANALYZE activities_activity",
    ]


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_registration_indexes")]

    operations = [postgresql_only(set_target(TARGET), set_target(-1))]
