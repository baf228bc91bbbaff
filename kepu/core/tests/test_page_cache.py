"""The anonymous page cache: pages stay cached for long and are invalidated by the services that
change what they show; a hit costs no query; signed-in people and a cache that is down are
served as without it."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from kepu.activities import services
from kepu.activities.models import Activity
from kepu.campaigns.services import update_campaign
from kepu.core import cache as page_cache

HEADER = page_cache.CACHE_HEADER


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.KEPU_PUBLIC_CACHE_SECONDS = 600
    settings.KEPU_PUBLIC_LIST_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run a service as if its transaction committed (the test's own transaction never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def detail(activity) -> str:
    return url("activities:activity-detail", activity.pk)


def search(q: str = "") -> str:
    return url("activities:activity-list") + (f"?q={q}" if q else "")


def test_a_sign_up_changes_the_places_left_on_the_next_anonymous_view(
    client, published, tree, on_commit
):
    assert client.get(detail(published))[HEADER] == "miss"
    cached = client.get(detail(published))
    assert cached[HEADER] == "hit" and "20 of 20 left" in cached.content.decode()

    with on_commit():
        services.register_for_activity(published.pk, user=tree.public, name="甲", consent=True)
    after = client.get(detail(published))
    assert after[HEADER] == "miss"
    assert "19 of 20 left" in after.content.decode()
    assert client.get(detail(published))[HEADER] == "hit"


def test_a_page_without_places_to_count_stays_fresh_long(client, make_activity, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(page_cache.time, "time", lambda: now[0])
    open_door = make_activity(signup_required=False, capacity=None)
    client.get(detail(open_door))
    now[0] += 120
    assert client.get(detail(open_door))[HEADER] == "hit"


def test_a_cancellation_frees_a_place_on_the_page_at_once(client, published, tree, on_commit):
    registration = services.register_for_activity(
        published.pk, user=tree.public, name="甲", consent=True
    )
    assert "19 of 20 left" in client.get(detail(published)).content.decode()
    assert client.get(detail(published))[HEADER] == "hit"
    with on_commit():
        services.cancel_registration(registration, user=tree.public)
    after = client.get(detail(published))
    assert after[HEADER] == "miss" and "20 of 20 left" in after.content.decode()


def test_a_large_activity_says_more_than_and_a_sign_up_leaves_its_page_cached(
    client, make_activity, tree, on_commit
):
    big = make_activity(capacity=Activity.EXACT_UP_TO + 2)
    assert client.get(detail(big))[HEADER] == "miss"
    page = client.get(detail(big)).content.decode()
    assert f"More than {Activity.EXACT_UP_TO} of {Activity.EXACT_UP_TO + 2} left" in page
    with on_commit():  # 52 → 51 left: still "more than 50", the page is unchanged
        services.register_for_activity(big.pk, user=tree.public, name="甲", consent=True)
    assert client.get(detail(big))[HEADER] == "hit"
    with on_commit():  # 51 → 50 left: now counted exactly, the page is replaced
        services.register_for_activity(big.pk, user=tree.reporter_b, name="乙", consent=True)
    after = client.get(detail(big))
    assert after[HEADER] == "miss"
    assert f"{Activity.EXACT_UP_TO} of {Activity.EXACT_UP_TO + 2} left" in after.content.decode()


def test_the_waiting_list_is_counted_exactly_up_to_the_threshold(make_activity):
    from kepu.activities.pages import signup_changes_page

    activity = make_activity(capacity=1)
    activity.confirmed_count, activity.waitlist_count = 1, Activity.EXACT_UP_TO + 1
    assert signup_changes_page(activity, waitlisted=True)  # 50 → "more than 50"
    activity.waitlist_count += 1
    assert not signup_changes_page(activity, waitlisted=True)
    assert not activity.waitlist_shown_exactly


def test_editing_a_published_activity_shows_the_edit_at_once(client, published, tree, on_commit):
    client.get(detail(published))
    client.get(search())
    with on_commit():
        services.update_activity(published, actor=tree.reporter_a, title="湿地保护科普讲座")
    page = client.get(detail(published)).content.decode()
    assert "湿地保护科普讲座" in page
    # The title is on the search cards too: the lists are out of date as well.
    listed = client.get(search())
    assert listed[HEADER] == "miss" and "湿地保护科普讲座" in listed.content.decode()


def test_publishing_makes_the_activity_appear_in_search_at_once(
    client, make_activity, tree, on_commit
):
    approved = make_activity(status="approved", title="航空航天科普展")
    before = client.get(search())
    assert before[HEADER] == "miss" and "航空航天科普展" not in before.content.decode()
    assert client.get(search())[HEADER] == "hit"

    with on_commit():
        services.publish_activity(approved, actor=tree.reporter_a)
    after = client.get(search())
    assert after[HEADER] == "miss" and "航空航天科普展" in after.content.decode()
    assert "航空航天科普展" in client.get(url("campaigns:home")).content.decode()


def test_cancelling_takes_the_activity_page_and_its_card_down_at_once(
    client, published, tree, on_commit
):
    client.get(detail(published))
    client.get(search())
    with on_commit():
        services.cancel_activity(published, actor=tree.reporter_a, reason="暴雨")
    assert client.get(detail(published)).status_code == 404
    assert published.title not in client.get(search()).content.decode()


def test_search_cards_lag_behind_sign_ups_by_the_list_freshness_at_most(
    client, published, tree, on_commit, monkeypatch
):
    now = [1_000_000.0]
    monkeypatch.setattr(page_cache.time, "time", lambda: now[0])
    assert "20 places left" in client.get(search()).content.decode()
    with on_commit():
        services.register_for_activity(published.pk, user=tree.public, name="甲", consent=True)
    # The activity page is invalidated; the lists are not (every sign-up would empty them).
    assert "19 of 20 left" in client.get(detail(published)).content.decode()
    lagging = client.get(search())
    assert lagging[HEADER] == "hit" and "20 places left" in lagging.content.decode()
    now[0] += 61
    refreshed = client.get(search())
    assert refreshed[HEADER] == "miss" and "19 places left" in refreshed.content.decode()


def test_pages_rendered_together_do_not_turn_stale_together(client, db, monkeypatch):
    """Twenty lists rendered in the same second: none is fresh for longer than the list
    freshness (60 s) or shorter than 85 % of it, and in between some are stale while others
    are still hits, so their renders do not all come back at the same moment."""
    now = [1_000_000.0]
    monkeypatch.setattr(page_cache.time, "time", lambda: now[0])
    pages = [search(f"讲座{n}") for n in range(20)]
    assert {client.get(p)[HEADER] for p in pages} == {"miss"}
    now[0] += 60 * 0.85 - 0.5
    assert {client.get(p)[HEADER] for p in pages} == {"hit"}
    now[0] += 60 * 0.075 + 0.5  # halfway through the spread
    between = [client.get(p)[HEADER] for p in pages]
    assert "hit" in between and "miss" in between
    now[0] = 1_000_000.0 + 60.01
    renewed = [p for p, h in zip(pages, between, strict=True) if h == "hit"]
    assert {client.get(p)[HEADER] for p in renewed} == {"miss"}  # none outlives 60 s


def test_a_campaign_edit_shows_on_its_pages_at_once(client, campaign, published, tree, on_commit):
    campaign_url = url("campaigns:campaign-detail", campaign.slug)
    client.get(campaign_url)
    client.get(detail(published))
    with on_commit():
        update_campaign(campaign, actor=tree.admin, title="2021年全国科普日活动")
    assert "2021年全国科普日活动" in client.get(campaign_url).content.decode()
    assert "2021年全国科普日活动" in client.get(detail(published)).content.decode()


def test_a_hit_makes_no_database_query(client, published, django_assert_num_queries):
    pages = [detail(published), search("讲座"), url("campaigns:home")]
    pages.append(url("activities:activity-ics", published.pk))
    for page in pages:
        assert client.get(page)[HEADER] == "miss"
    for page in pages:
        with django_assert_num_queries(0):
            assert client.get(page)[HEADER] == "hit"


def test_a_hit_carries_the_same_headers_as_the_rendered_page(client, published):
    miss = client.get(detail(published))
    hit = client.get(detail(published))
    assert hit[HEADER] == "hit"
    for name in ("Content-Type", "Content-Language", "X-Frame-Options", "Content-Security-Policy"):
        assert hit[name] == miss[name]
    assert "Cookie" in hit["Vary"]
    assert hit.content == miss.content
    assert not hit.cookies


def test_signed_in_people_never_get_a_cached_page_and_never_fill_the_cache(client, published, tree):
    services.register_for_activity(published.pk, user=tree.public, name="甲", consent=True)
    client.force_login(tree.public)
    mine = client.get(detail(published))
    assert HEADER not in mine
    assert "You are signed up for this activity." in mine.content.decode()
    client.logout()
    anonymous = client.get(detail(published))
    assert anonymous[HEADER] == "miss"
    assert "You are signed up for this activity." not in anonymous.content.decode()
    client.force_login(tree.public)
    again = client.get(detail(published))
    assert HEADER not in again and "You are signed up" in again.content.decode()


def test_the_activity_page_is_fresh_only_until_it_changes_by_itself(
    client, make_activity, monkeypatch
):
    # The check-in form appears 30 minutes before the start: 5 minutes from now.
    soon = make_activity(starts_at=timezone.now() + dt.timedelta(minutes=35))
    now = [1_000_000.0]
    monkeypatch.setattr(page_cache.time, "time", lambda: now[0])
    assert client.get(detail(soon))[HEADER] == "miss"
    now[0] += 200
    assert client.get(detail(soon))[HEADER] == "hit"
    now[0] += 200  # past the moment, well within the ten minutes
    assert client.get(detail(soon))[HEADER] == "miss"


def test_pages_are_served_when_the_cache_is_down(client, published, tree, on_commit):
    unreachable = {
        "default": {
            "BACKEND": "kepu.core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=unreachable):
        first = client.get(detail(published))
        assert first.status_code == 200 and first[HEADER] == "off"
        assert published.title in first.content.decode()
        listed = client.get(search())
        assert listed.status_code == 200 and published.title in listed.content.decode()
        # A change still commits; only its invalidation is lost (pages expire on their own).
        with on_commit():
            services.register_for_activity(published.pk, user=tree.public, name="甲", consent=True)
        assert "19 of 20 left" in client.get(detail(published)).content.decode()
    assert client.get(detail(published))[HEADER] == "miss"


def test_a_page_stored_before_a_version_token_expired_is_not_served(client, published):
    assert client.get(detail(published))[HEADER] == "miss"
    cache.delete(page_cache.VERSION_PREFIX + f"activity:{published.pk}")
    Activity.objects.filter(pk=published.pk).update(title="新标题")
    again = client.get(detail(published))
    assert again[HEADER] == "miss" and "新标题" in again.content.decode()
