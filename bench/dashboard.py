"""Time the campaign statistics selector in-process against the bench database.

    .venv/bin/python bench/dashboard.py                 # scale 1.0, 200 filter combinations
    .venv/bin/python bench/dashboard.py --runs 50 --scale 0.1

The data set must exist (bench/generate.py builds it; this script never regenerates it). The
stats app's migrations (its indexes) are applied first. Django runs with the production settings
environment of bench/run.py (PostgreSQL, Redis cache, DEBUG off). Viewers are staff of the
national, province, city, county and unit levels (memberships held in memory only, nothing is
written); filters are drawn at random, with a fixed seed, from the data set's own regions,
organisations, joint actions, kinds, formats and dates. Prints p50/p95/max in milliseconds of
``kepu.stats.selectors.campaign_dashboard`` (every query of the dashboard page) and the slowest
combination.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
import run  # noqa: E402

CEILING_MS = 300


def setup(scale: float) -> dict:
    url = generate.db_url(scale)
    meta = generate.read_meta(url)
    if not meta:
        sys.exit(f"no data set in {generate.db_name(scale)}: run bench/generate.py --scale {scale}")
    dataset = {**meta, "url": url, "database": generate.db_name(scale)}
    env = run.server_env(dataset, secret=secrets.token_urlsafe(48))
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "stats", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    return dataset


def viewers(rng: random.Random) -> list:
    """One in-memory staff person per level, each with a coordinator role on a real node."""
    from kepu.accounts.models import User
    from kepu.organisations import scoping
    from kepu.organisations.models import Organisation

    people = []
    for level in ("national", "province", "city", "county", "unit"):
        ids = list(Organisation.objects.filter(level=level).values_list("pk", "path")[:500])
        for pk, path in rng.sample(ids, min(4, len(ids))):
            user = User(pk=10**9 + pk, name=f"bench {level}")
            scoping.remember(user, [("coordinator", path, pk)])
            people.append((level, user))
    return people


def combinations(n: int, rng: random.Random) -> list[tuple]:
    from kepu.activities.models import Activity
    from kepu.campaigns.models import Campaign, JointAction
    from kepu.organisations.models import Organisation, Region
    from kepu.stats import selectors

    campaigns = list(Campaign.objects.select_related("organiser"))
    people = viewers(rng)
    regions = list(Region.objects.filter(depth__lte=3).order_by("?")[:300])
    out = []
    while len(out) < n:
        level, user = rng.choice(people)
        mine = [c for c in campaigns if selectors.campaigns_with_stats(user).filter(pk=c.pk)]
        if not mine:
            continue
        # Mostly the root campaigns (the heaviest: every child campaign rolls up into them).
        roots = [c for c in mine if c.parent_id is None]
        campaign = rng.choice(roots) if roots and rng.random() < 0.7 else rng.choice(mine)
        f = selectors.Filters()
        if rng.random() < 0.3:
            f.region = rng.choice(regions)
        if rng.random() < 0.3:
            node = selectors.default_node(user, campaign)
            children = list(Organisation.objects.get_children(node)[:50])
            f.organisation = rng.choice(children) if children else None
        if rng.random() < 0.2:
            actions = list(
                JointAction.objects.filter(campaign__lineage__startswith=campaign.lineage)
            )
            f.joint_action = rng.choice(actions) if actions else None
        if rng.random() < 0.3:
            f.kind = rng.choice(Activity.Kind.values)
        if rng.random() < 0.2:
            f.format = rng.choice(Activity.Format.values)
        if rng.random() < 0.3:
            start = campaign.starts_on + dt.timedelta(days=rng.randrange(0, 20))
            f.date_from, f.date_to = start, start + dt.timedelta(days=rng.randrange(1, 15))
        out.append((level, user, campaign, f))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20260917)
    args = parser.parse_args()
    dataset = setup(args.scale)
    from kepu.stats import selectors

    rng = random.Random(args.seed)
    combos = combinations(args.runs, rng)
    # Warm the connection and the planner's statistics once, as a running server would be.
    level, user, campaign, f = combos[0]
    selectors.campaign_dashboard(user, campaign, f)
    timings = []
    for level, user, campaign, f in combos:
        started = time.perf_counter()
        board = selectors.campaign_dashboard(user, campaign, f)
        timings.append(((time.perf_counter() - started) * 1000, level, campaign.pk, f, board))
    ms = sorted(t[0] for t in timings)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
    slowest = max(timings, key=lambda t: t[0])
    print(
        f"dashboard selector, {dataset['database']}: {dataset['activities']:,} activities, "
        f"{dataset['registrations']:,} sign-ups, {dataset['checkins']:,} check-ins"
    )
    print(
        f"{len(ms)} filter combinations: p50 {statistics.median(ms):.1f} ms, "
        f"p95 {p95:.1f} ms, max {ms[-1]:.1f} ms (ceiling {CEILING_MS} ms at p95)"
    )
    by_level: dict[str, list[float]] = {}
    for t in timings:
        by_level.setdefault(t[1], []).append(t[0])
    for level, values in by_level.items():
        print(f"  {level:9} n={len(values):3} p50 {statistics.median(values):7.1f} ms")
    print(
        f"slowest: {slowest[0]:.1f} ms, {slowest[1]} viewer, campaign {slowest[2]}, "
        f"{slowest[3].as_params() or 'no filters'}, {slowest[4].totals.activities:,} activities"
    )
    page_ms = time_pages(combos)
    pp95 = page_ms[min(len(page_ms) - 1, int(round(0.95 * len(page_ms))) - 1)]
    print(
        f"dashboard page (GET through every middleware and the template, signed in): "
        f"p50 {statistics.median(page_ms):.1f} ms, p95 {pp95:.1f} ms, max {page_ms[-1]:.1f} ms"
    )
    ok = p95 <= CEILING_MS and pp95 <= CEILING_MS
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def time_pages(combos: list[tuple]) -> list[float]:
    """The dashboard page of each combination, requested in-process through Django's whole
    stack (middleware, view, template) by a signed-in person holding the viewer's role.

    The people and memberships are written inside a transaction that is rolled back at the
    end, so the data set is left as it was."""
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from kepu.accounts.models import User
    from kepu.organisations import scoping
    from kepu.organisations.models import Membership

    timings = []
    with transaction.atomic():
        signed_in: dict[int, Client] = {}
        for _level, viewer, _campaign, _f in combos:
            if viewer.pk in signed_in:
                continue
            role, _path, organisation_id = scoping._memberships(viewer)[0]
            user = User.objects.create_user(
                phone=f"199{viewer.pk % 10**8:08d}", name=viewer.name, password=None
            )
            Membership.objects.create(user=user, organisation_id=organisation_id, role=role)
            client = Client(HTTP_HOST=run.HOST, HTTP_X_FORWARDED_PROTO="https")
            client.force_login(user)
            signed_in[viewer.pk] = client
        for i, (_level, viewer, campaign, f) in enumerate(combos):
            url = reverse("stats:campaign-dashboard", kwargs={"pk": campaign.pk})
            client = signed_in[viewer.pk]
            started = time.perf_counter()
            response = client.get(f"/zh-hans{url[url.index('/', 1) :]}", f.as_params())
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(
                    f"dashboard page answered {response.status_code}: {url} "
                    f"{response.get('Location', '')}"
                )
            if i:  # the first request of the run warms the templates
                timings.append((elapsed, _level, campaign.pk, f))
        transaction.set_rollback(True)
    slowest = max(timings, key=lambda t: t[0])
    print(
        f"slowest page: {slowest[0]:.1f} ms, {slowest[1]} viewer, campaign {slowest[2]}, "
        f"{slowest[3].as_params() or 'no filters'}"
    )
    return sorted(t[0] for t in timings)


if __name__ == "__main__":
    sys.exit(main())
