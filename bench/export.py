"""Benchmark: an XLSX export of every activity of the bench database, as a national admin.

Runs the real code path (kepu.exports.services.write_export with the "activities" kind, the
same call the export view and the background job make) against the database bench/generate.py
built (kepu_bench_1_0 by default; it is only read) and checks the ceilings of the issue:
under 30 s and a peak resident memory under 300 MB for 100,000 rows.

    .venv/bin/python bench/export.py [--url postgres://…/kepu_bench_1_0] [--format xlsx|csv]

The national admin is the bench staff user with an admin membership on every national
organisation (China's and Vietnam's), held in memory only (scoping.remember): nothing is
written to the database.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kepu_bench_1_0"
MAX_SECONDS = 30.0
MAX_RSS_MB = 300.0


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(url: str) -> None:
    # As bench/run.py server_env: production settings on the bench database.
    for key in [k for k in os.environ if k.startswith(("KEPU_", "DJANGO_"))]:
        del os.environ[key]
    os.environ.update(
        {
            "KEPU_PRODUCTION": "1",
            "KEPU_SECRET_KEY": "bench-export-" + "x" * 50,
            "DATABASE_URL": url,
            "KEPU_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "kepu.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def national_admin():
    from django.db import connection

    from kepu.accounts.models import User
    from kepu.organisations import scoping
    from kepu.organisations.models import Organisation

    with connection.cursor() as cursor:
        cursor.execute("SELECT v FROM kepu_bench_meta WHERE k = 'dataset'")
        meta = cursor.fetchone()[0]
    if isinstance(meta, str):
        import json

        meta = json.loads(meta)
    user = User.objects.get(pk=meta["staff_user"])
    roots = Organisation.objects.filter(depth=1).values_list("path", "pk")
    scoping.remember(user, [("admin", path, pk) for path, pk in roots])
    return user, meta


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("KEPU_BENCH_EXPORT_URL", DEFAULT_URL))
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args()
    setup(args.url)

    from django.utils import translation

    from kepu.exports import registry, services

    user, meta = national_admin()
    kind = registry.get("activities")
    base_rss = peak_rss_mb()
    with translation.override("zh-hans"), tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"activities.{args.format}"
        started = time.perf_counter()
        with open(target, "wb") as out:
            rows = services.write_export(kind, user, {}, args.format, out)
        elapsed = time.perf_counter() - started
        size_mb = target.stat().st_size / 1024 / 1024
    peak = peak_rss_mb()
    ok = elapsed < MAX_SECONDS and peak < MAX_RSS_MB
    print(f"dataset: {meta.get('activities')} activities (scale {meta.get('scale')})")
    print(f"rows written: {rows:,} ({args.format}, {size_mb:.1f} MB)")
    print(f"elapsed: {elapsed:.1f} s (ceiling {MAX_SECONDS:.0f} s)")
    print(
        f"peak RSS: {peak:.0f} MB (after start-up {base_rss:.0f} MB; ceiling {MAX_RSS_MB:.0f} MB)"
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
