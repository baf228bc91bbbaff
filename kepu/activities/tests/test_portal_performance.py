"""The public pages stay cheap whatever the number of activities: fixed query counts, no COUNT
over every match, memoised QR codes, cached form choices and a page cache without stampedes."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kepu.activities.forms_public import ActivitySearchForm
from kepu.activities.models import Activity
from kepu.activities.templatetags import activity_cards
from kepu.activities.views_public import MAX_PAGES, PAGE_SIZE
from kepu.api.pagination import PageParams, paginate
from kepu.core import cache as page_cache_module
from kepu.core.qr import qr_svg


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def many(published):
    """The published activity and 24 copies one hour apart: more than one page of results."""
    fields = {
        f.attname: getattr(published, f.attname)
        for f in Activity._meta.concrete_fields
        if not f.primary_key
    }
    copies = []
    for i in range(1, PAGE_SIZE + 5):
        start = published.starts_at + dt.timedelta(hours=i)
        copies.append(
            Activity(
                **{
                    **fields,
                    "title": f"{published.title}{i:02d}",
                    "starts_at": start,
                    "ends_at": start + dt.timedelta(hours=2),
                }
            )
        )
    Activity.objects.bulk_create(copies)
    return [published, *Activity.objects.filter(pk__in=[c.pk for c in copies])]


def titles(response) -> list[str]:
    return [a.title for a in response.context["activities"]]


def no_count_over_activities(queries) -> bool:
    return not any(
        "COUNT(" in q["sql"].upper() and "activities_activity" in q["sql"] for q in queries
    )


# --- QR codes ---------------------------------------------------------------------------------


def test_the_same_qr_code_is_encoded_once_and_then_served_from_memory():
    qr_svg.cache_clear()
    first = qr_svg("https://kepu.example/zh-hans/activities/1/", title="讲座")
    again = qr_svg("https://kepu.example/zh-hans/activities/1/", title="讲座")
    other = qr_svg("https://kepu.example/zh-hans/activities/1/", title="展览")
    assert again is first and other != first
    info = qr_svg.cache_info()
    assert (info.hits, info.misses) == (1, 2)
    assert info.maxsize is not None  # bounded


def test_the_search_page_qr_code_ignores_parameters_the_page_does_not_use(client, published):
    a = client.get(url("activities:activity-list"), {"q": "讲座", "_b": "1"}).content.decode()
    b = client.get(url("activities:activity-list"), {"q": "讲座", "_b": "2"}).content.decode()
    footer = a[a.index('<footer class="site-footer">') :]
    assert "<svg" in footer
    assert footer == b[b.index('<footer class="site-footer">') :]


# --- Result cards -----------------------------------------------------------------------------


CARD = "{% load activity_cards %}{% activity_card a %}"


def card(activity) -> str:
    return Template(CARD).render(Context({"a": activity}))


def test_a_card_is_drawn_once_until_what_it_shows_changes(published):
    activity_cards.clear()
    published.capacity, published.confirmed_count = 30, 0
    with translation.override("zh-hans"):
        first = card(published)
        with CaptureQueriesContext(connection) as queries:
            assert card(published) == first
        assert len(queries) == 0
        assert len(activity_cards._cards) == 1  # the second came from memory
        published.confirmed_count = 1  # a sign-up
        after = card(published)
        published.title = "<b>改名</b>"
        renamed = card(published)
    with translation.override("vi"):
        vietnamese = card(published)
    places = re.compile(r'badge-open">[^<]*?(\d+)')
    assert places.findall(first) == ["30"] and places.findall(after) == ["29"]
    assert "&lt;b&gt;改名&lt;/b&gt;" in renamed and "<b>改名" not in renamed
    assert "/vi/" in vietnamese and "/zh-hans/" in renamed
    assert len(activity_cards._cards) == 4


def test_the_memory_of_cards_is_bounded(published, monkeypatch):
    activity_cards.clear()
    monkeypatch.setattr(activity_cards, "MAX_CARDS", 3)
    with translation.override("en"):
        for n in range(5):
            published.title = f"Talk {n}"
            card(published)
    assert len(activity_cards._cards) == 3
    assert [key[2] for key in activity_cards._cards] == ["Talk 2", "Talk 3", "Talk 4"]


# --- Search without a total -------------------------------------------------------------------


def test_search_shows_one_page_and_more_than_without_counting_every_match(
    client, many, django_assert_max_num_queries
):
    search = url("activities:activity-list")
    client.get(search, {"q": "warm-up"})  # the form's choices are now cached
    with CaptureQueriesContext(connection) as queries:
        with django_assert_max_num_queries(2):  # the page's ids, then their cards
            response = client.get(search)
    assert no_count_over_activities(queries.captured_queries)
    body = response.content.decode()
    assert titles(response) == [a.title for a in many[:PAGE_SIZE]]
    assert "More than 20 activities found" in body
    assert 'rel="next" href="?page=2"' in body and 'rel="prev"' not in body

    last = client.get(search, {"page": 2})
    body = last.content.decode()
    assert titles(last) == [a.title for a in many[PAGE_SIZE:]]
    assert "25 activities found" in body and "showing 21–25" in body
    assert 'rel="prev" href="?page=1"' in body and 'rel="next"' not in body


def test_a_page_past_the_end_shows_the_last_page(client, many):
    response = client.get(url("activities:activity-list"), {"page": 7})
    assert response.status_code == 200
    assert titles(response) == [a.title for a in many[PAGE_SIZE:]]
    assert response.context["page_obj"].number == 2


def test_a_huge_page_number_is_bounded(client, published):
    response = client.get(url("activities:activity-list"), {"page": "9" * 40})
    assert titles(response) == [published.title]
    assert response.context["page_obj"].number == 1


def test_search_with_filters_is_a_fixed_number_of_queries(
    client, many, tree, django_assert_max_num_queries
):
    search = url("activities:activity-list")
    client.get(search, {"q": "warm-up"})
    params = {"q": "讲座", "region": tree.regions.zhongwei.code, "kind": "lecture"}
    with django_assert_max_num_queries(4):  # region check, region path, ids, cards
        response = client.get(search, params)
    assert len(titles(response)) == PAGE_SIZE


def test_search_dates_are_days_in_the_site_time_zone(client, published):
    day = timezone.localtime(published.starts_at).date()
    search = url("activities:activity-list")
    same = {"date_from": day.isoformat(), "date_to": day.isoformat()}
    assert titles(client.get(search, same)) == [published.title]
    before = (day - dt.timedelta(days=1)).isoformat()
    assert titles(client.get(search, {"date_from": before, "date_to": before})) == []
    far = {"date_from": "0001-01-01", "date_to": "9999-12-31"}
    assert titles(client.get(search, far)) == [published.title]


def test_an_activity_that_started_before_now_and_runs_on_is_still_found(client, published):
    start = timezone.now() - dt.timedelta(days=3)
    Activity.objects.filter(pk=published.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(days=10)
    )
    response = client.get(url("activities:activity-list"))
    assert titles(response) == [published.title]


def test_the_search_form_choices_are_read_once_per_language(db, django_assert_num_queries):
    with translation.override("en"):
        ActivitySearchForm()
        with django_assert_num_queries(0):
            form = ActivitySearchForm({"audience": "nobody", "topic": ""})
            html = str(form["region"])
        assert not form.is_valid() and "Unknown audience." in form.errors["audience"]
    assert '<option value="" selected>' in html


def test_the_region_select_marks_the_chosen_region(db, tree):
    code = tree.regions.zhongwei.code
    html = str(ActivitySearchForm({"region": code})["region"])
    assert f'<option value="{code}" selected>' in html
    assert html.count(" selected") == 1


# --- Detail and campaign pages ----------------------------------------------------------------


def test_activity_detail_is_a_fixed_number_of_queries(
    client, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):  # activity, audiences, topics, rating summary
        response = client.get(url("activities:activity-detail", published.pk))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_campaign_page_is_a_fixed_number_of_queries_without_a_count(
    client, campaign, many, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as queries:
        # campaign, page ids, cards, joint actions, child campaigns, commendation list, quizzes
        with django_assert_max_num_queries(7):
            response = client.get(url("campaigns:campaign-detail", campaign.slug))
    assert no_count_over_activities(queries.captured_queries)
    assert len(response.context["activities"]) == PAGE_SIZE
    assert "More than 20 activities" in response.content.decode()
    last = client.get(url("campaigns:campaign-detail", campaign.slug), {"page": 2})
    assert "25 activities" in last.content.decode()


def test_public_lists_stop_at_the_last_allowed_page(client, published):
    response = client.get(url("activities:activity-list"), {"page": MAX_PAGES + 5})
    assert response.context["page_obj"].number == 1  # only one page exists


# --- API count --------------------------------------------------------------------------------


def test_the_api_count_is_capped_and_says_so(many):
    qs = Activity.objects.order_by("starts_at", "id")
    body = paginate(qs, PageParams(page=1, limit=10), count_limit=12)
    assert (body["count"], body["count_exact"], body["has_next"]) == (12, False, True)
    assert len(body["items"]) == 10
    exact = paginate(qs, PageParams(page=1, limit=10), count_limit=100)
    assert (exact["count"], exact["count_exact"], exact["pages"]) == (25, True, 3)
    last = paginate(qs, PageParams(page=3, limit=10), count_limit=12)
    assert (last["count"], last["count_exact"], last["has_next"]) == (25, True, False)


# --- Page cache without stampede --------------------------------------------------------------


def test_an_expired_page_is_served_stale_while_one_request_renders_it(
    client, published, settings, monkeypatch, rf
):
    settings.KEPU_PUBLIC_CACHE_SECONDS = 15
    detail = url("activities:activity-detail", published.pk)
    with translation.override("en"):
        key = page_cache_module.page_cache_key(rf.get(detail))
    now = [1_000_000.0]
    monkeypatch.setattr(page_cache_module.time, "time", lambda: now[0])

    assert client.get(detail)["X-Kepu-Cache"] == "miss"
    Activity.objects.filter(pk=published.pk).update(title="新标题")
    assert client.get(detail)["X-Kepu-Cache"] == "hit"

    now[0] += 16  # expired, and another request is rendering it: the stale copy, at once
    assert cache.add(f"{key}:lock", 1, timeout=10)
    stale = client.get(detail)
    assert stale["X-Kepu-Cache"] == "stale" and published.title in stale.content.decode()

    cache.delete(f"{key}:lock")  # nobody renders it: this request does, and releases the lock
    fresh = client.get(detail)
    assert fresh["X-Kepu-Cache"] == "miss" and "新标题" in fresh.content.decode()
    assert cache.get(f"{key}:lock") is None
    assert client.get(detail)["X-Kepu-Cache"] == "hit"


def test_while_the_machine_renders_one_stale_page_the_others_are_served_stale(
    client, many, settings, monkeypatch, rf
):
    """One refresh at a time per machine: a stale page whose own lock is free is still served
    stale while another page of the same machine is being rendered again, and is rendered by
    the first request after that render ends."""
    settings.KEPU_PUBLIC_CACHE_SECONDS = 15
    first, second = many[0], many[1]
    pages = [url("activities:activity-detail", a.pk) for a in (first, second)]
    now = [1_000_000.0]
    monkeypatch.setattr(page_cache_module.time, "time", lambda: now[0])
    assert [client.get(p)["X-Kepu-Cache"] for p in pages] == ["miss", "miss"]
    Activity.objects.filter(pk=second.pk).update(title="新标题")
    now[0] += 16

    slot = page_cache_module.render_slot_key()
    assert cache.add(slot, 1, timeout=10)  # a worker of this machine is rendering a page
    stale = client.get(pages[1])
    assert stale["X-Kepu-Cache"] == "stale" and "新标题" not in stale.content.decode()
    cache.delete(slot)
    fresh = client.get(pages[1])
    assert fresh["X-Kepu-Cache"] == "miss" and "新标题" in fresh.content.decode()
    assert cache.get(slot) is None  # released with the page's lock

    # A page nobody has in the cache is rendered whatever the slot: there is nothing to serve.
    assert cache.add(slot, 1, timeout=10)
    third = url("activities:activity-detail", many[2].pk)
    assert client.get(third)["X-Kepu-Cache"] == "miss"
    # The slot is taken and the page's lock is not: taking neither leaves the slot as it was.
    assert cache.get(slot) == 1


def test_a_stale_copy_is_kept_only_for_a_bounded_time(client, published, settings, monkeypatch):
    settings.KEPU_PUBLIC_CACHE_SECONDS = 15
    calls = []
    real_set = cache.set

    def spy(key, value, timeout=None, **kwargs):
        calls.append(timeout)
        return real_set(key, value, timeout=timeout, **kwargs)

    monkeypatch.setattr(page_cache_module.cache, "set", spy)
    assert client.get(url("activities:activity-detail", published.pk))["X-Kepu-Cache"] == "miss"
    assert calls[-1] == 15 + page_cache_module.stale_seconds(15) == 45
