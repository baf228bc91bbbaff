"""Which cached public pages a change of an activity makes out of date (kepu.core.cache).

An activity's page and calendar file show the topic ``activity:<id>``; the search, the home
page and the campaign pages show ``listing`` (which activities are public, and their cards).
Every service that changes what those pages show calls ``activity_changed`` once; the versions
are replaced after the transaction commits.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from kepu.core import cache as page_cache

from .models import Activity

# The self check-in form appears this long before the start (views_public.CHECKIN_OPENS_BEFORE).
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)


def activity_topic(activity_id: int) -> str:
    return f"activity:{activity_id}"


def activity_changed(activity_id: int, *, listed: bool = False) -> None:
    """The activity's page (and calendar file) is out of date; with ``listed``, the public lists
    too (the activity became or stopped being public, or what its card shows changed).

    Sign-ups do not call this: the places left they change may lag on the activity page by
    KEPU_PLACES_FRESH_SECONDS (see ``next_change``) and on the cards by the list freshness
    (KEPU_PUBLIC_LIST_CACHE_SECONDS). Cancellations, promotions and capacity changes do.
    """
    topics = [activity_topic(activity_id)]
    if listed:
        topics.append(page_cache.LISTING)
    page_cache.changed(*topics)


def detail_topics(pk: int, **kwargs) -> tuple[str, ...]:
    """What the activity page and its calendar file show."""
    return (activity_topic(pk), page_cache.SITE)


def listing_topics(**kwargs) -> tuple[str, ...]:
    """What the search, the home page and the campaign pages show."""
    return (page_cache.LISTING, page_cache.SITE)


def next_change(activity: Activity, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the anonymous activity page changes by itself: the check-in form appears, sign-up
    closes at the start, the activity ends — and, while sign-up is open with a capacity, the
    places left (sign-ups do not invalidate the page: KEPU_PLACES_FRESH_SECONDS)."""
    now = now or timezone.now()
    moments = [activity.starts_at - CHECKIN_OPENS_BEFORE, activity.starts_at, activity.ends_at]
    if counts_places(activity, now):
        moments.append(now + dt.timedelta(seconds=settings.KEPU_PLACES_FRESH_SECONDS))
    upcoming = [m for m in moments if m > now]
    return min(upcoming) if upcoming else None


def counts_places(activity: Activity, now: dt.datetime) -> bool:
    """The page shows places left that sign-ups change."""
    return (
        activity.status == Activity.Status.PUBLISHED
        and activity.signup_required
        and activity.capacity is not None
        and activity.starts_at > now
    )
