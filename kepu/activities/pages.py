"""Which cached public pages a change of an activity makes out of date (kepu.core.cache).

An activity's page and calendar file show the topic ``activity:<id>``; the search, the home
page and the campaign pages show ``listing`` (which activities are public, and their cards).
Every service that changes what those pages show calls ``activity_changed`` once; the versions
are replaced after the transaction commits.
"""

import datetime as dt

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

    Sign-ups change the places left on the cards as well, but they do not invalidate the lists:
    cards may lag by the list freshness (KEPU_PUBLIC_LIST_CACHE_SECONDS).
    """
    topics = [activity_topic(activity_id)]
    if listed:
        topics.append(page_cache.LISTING)
    page_cache.changed(*topics)


def signup_changes_page(activity: Activity, waitlisted: bool) -> bool:
    """Whether a sign-up just counted on ``activity`` (its counters as they are now) changed
    what its page shows: a count shown exactly, or the step from "more than" to exact."""
    if waitlisted:
        return activity.waitlist_count <= Activity.EXACT_UP_TO + 1
    return activity.capacity is not None and activity.places_left <= Activity.EXACT_UP_TO


def detail_topics(pk: int, **kwargs) -> tuple[str, ...]:
    """What the activity page and its calendar file show."""
    return (activity_topic(pk), page_cache.SITE)


def listing_topics(**kwargs) -> tuple[str, ...]:
    """What the search, the home page and the campaign pages show."""
    return (page_cache.LISTING, page_cache.SITE)


def next_change(activity: Activity, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the anonymous activity page changes by itself: the check-in form appears, sign-up
    closes at the start, the activity ends."""
    now = now or timezone.now()
    moments = (activity.starts_at - CHECKIN_OPENS_BEFORE, activity.starts_at, activity.ends_at)
    upcoming = [m for m in moments if m > now]
    return min(upcoming) if upcoming else None
