"""An index of the pairs of adjacent Han characters in each activity's search text, on
PostgreSQL only (SQLite scans, fast enough at the size an embedded install holds).

Most Chinese searches are two-character words (讲座, 科普, 防疫), too short for the trigram
index of migration 0002. A search that matches few activities (a word with a topic, a kind, a
region) then reads every upcoming activity to find them, ≈ 60 ms at 100,000 activities and ten
times less at 10,000: the cost grew with the number of activities. ``kepu_cjk_bigrams(text)``
gives the distinct pairs of adjacent Han characters (CJK Unified Ideographs and Extension A) of
a text; the search asks that the text's pairs include the query's
(``kepu.activities.selectors.HanPairsIn``, pairs from ``kepu.core.text.cjk_bigrams``, the same
characters), and keeps its ``LIKE`` for the exact order. The index covers every activity, not
only the public ones: PostgreSQL estimates how many rows hold a pair from the statistics of an
expression index only when the index is not partial, and with those estimates it walks the
start-time index for a common word (科普: the first page within a few hundred rows) and reads
this index for a rare one.
"""

from django.db import migrations

from kepu.core.migration_ops import postgresql_only

FUNCTION = r"""
CREATE OR REPLACE FUNCTION kepu_cjk_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(r, i, 2)), '{}')
  FROM regexp_split_to_table(t, '[^㐀-䶿一-鿿]+') AS r,
       generate_series(1, char_length(r) - 1) AS i
$$
"""
CREATE = [
    FUNCTION,
    "CREATE INDEX IF NOT EXISTS activity_search_bigrams ON activities_activity "
    "USING gin (kepu_cjk_bigrams(search_text))",
    "ANALYZE activities_activity",
]
DROP = [
    "DROP INDEX IF EXISTS activity_search_bigrams",
    "DROP FUNCTION IF EXISTS kepu_cjk_bigrams(text)",
]


class Migration(migrations.Migration):
    dependencies = [("activities", "0005_search_text_statistics")]

    operations = [postgresql_only(CREATE, DROP)]
