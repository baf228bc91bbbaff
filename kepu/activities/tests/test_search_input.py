"""The public search: folded matching across scripts and diacritics, and hostile input."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from kepu.activities.models import Activity
from kepu.activities.selectors import ActivitySearch, HanPairsIn, search_public_activities
from kepu.core.text import cjk_bigrams, fold

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _empty_page_cache():
    cache.clear()
    yield
    cache.clear()


def search_url() -> str:
    with translation.override("en"):
        return reverse("activities:activity-list")


def search(client, **params):
    response = client.get(search_url(), params)
    assert response.status_code == 200
    return response, response.content.decode()


def found(response) -> list[str]:
    return [a.title for a in response.context["activities"]]


def test_chinese_query_without_spaces_finds_the_activity(client, published):
    response, _ = search(client, q="碳中和科普")
    assert found(response) == [published.title]


def test_traditional_query_finds_simplified_text(client, make_activity):
    activity = make_activity(title="预防溺水安全教育进校园")
    make_activity(title="节水知识讲座")
    response, _ = search(client, q="預防溺水")
    assert found(response) == [activity.title]


def test_vietnamese_query_without_diacritics_finds_the_activity(client, make_activity):
    activity = make_activity(title="Tuyên truyền phòng, chống dịch COVID-19")
    make_activity(title="Hội thảo nước sạch")
    response, _ = search(client, q="phong chong")
    assert found(response) == [activity.title]


def test_two_character_words_find_the_activities_holding_them_in_that_order(client, make_activity):
    lecture = make_activity(title="航空航天科普讲座")
    make_activity(title="讲解科普座谈")  # 讲 and 座, never side by side
    both = make_activity(title="量子科技讲座进社区")
    response, _ = search(client, q="讲座")
    assert sorted(found(response)) == sorted([lecture.title, both.title])
    response, _ = search(client, q="講座 量子")  # Traditional, two words: both must be there
    assert found(response) == [both.title]
    response, _ = search(client, q="座讲")
    assert found(response) == []


@pytest.mark.parametrize(
    ("term", "pairs"),
    [
        ("讲座", ["讲座"]),
        ("节约用水", ["用水", "约用", "节约"]),
        ("ai讲座x科普", ["科普", "讲座"]),
        ("讲a座", []),
        ("phong chong", []),
        ("水", []),
        ("", []),
    ],
)
def test_a_term_is_narrowed_by_its_pairs_of_adjacent_han_characters(term, pairs):
    assert cjk_bigrams(term) == sorted(pairs)


@pytest.mark.skipif(not ON_POSTGRES, reason="the index of Han pairs is PostgreSQL's")
def test_the_database_reads_the_same_han_pairs_as_the_search_asks_for(db):
    """kepu_cjk_bigrams() (migration 0006) and cjk_bigrams() must agree, or a search would
    ask for a pair the index never holds and lose the activity."""
    texts = [
        fold("2021年沙坡头区全国科普日活动 · 百年再出发,迈向高水平科技自立自强"),
        fold("Tuyên truyền phòng, chống dịch COVID-19 tại khu dân cư 防疫"),
        fold("㐀㐁 extension A 一丁 ideographs"),
        "",
    ]
    with connection.cursor() as cursor:
        for text in texts:
            cursor.execute("SELECT kepu_cjk_bigrams(%s)", [text])
            assert sorted(cursor.fetchone()[0]) == cjk_bigrams(text)


@pytest.mark.skipif(not ON_POSTGRES, reason="the index of Han pairs is PostgreSQL's")
def test_a_two_character_search_can_be_answered_from_the_index_of_han_pairs(db):
    """The search's condition on Han pairs is one the index answers (the expression matches
    the index's); which plan PostgreSQL picks for a whole search depends on the data."""
    search = search_public_activities(ActivitySearch(q="讲座")).query
    assert "kepu_cjk_bigrams" in str(search)
    qs = Activity.objects.filter(HanPairsIn(["讲座"])).values_list("pk", flat=True)
    sql, params = qs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "activity_search_bigrams" in plan


def test_search_lists_only_published_activities(client, make_activity):
    make_activity(status="draft", title="草稿活动讲座")
    make_activity(status="approved", title="已审核活动讲座")
    shown = make_activity(title="已发布活动讲座")
    response, _ = search(client, q="活动讲座")
    assert found(response) == [shown.title]


def test_an_end_date_before_the_start_date_shows_a_message_and_no_results(client, published):
    response, body = search(client, date_from="2030-05-10", date_to="2030-05-01")
    assert "The end date cannot be before the start date." in body
    assert found(response) == []


def test_a_5000_character_query_is_refused_with_a_message(client, published):
    response, body = search(client, q="碳" * 5000)
    assert "at most 100 characters" in body
    assert found(response) == []


@pytest.mark.parametrize("page", ["abc", "99999", "-1", "1e9", "9" * 5000, ""])
def test_a_malformed_or_far_page_number_still_answers_with_a_page(client, published, page):
    response, _ = search(client, page=page)
    assert found(response) == [published.title]


def test_an_unknown_kind_is_reported(client, published):
    response, body = search(client, kind=["lecture", "dance-party"])
    assert "Kind:" in body and "dance-party" in body
    assert found(response) == []


def test_a_path_like_region_is_refused_as_unknown(client, published):
    response, body = search(client, region="../../")
    assert "Unknown region." in body
    assert found(response) == []


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2021-13-45"},
        {"date_to": "yesterday"},
        {"format": "teleport"},
        {"audience": "<script>"},
        {"topic": "x" * 300},
        {"q": "a\x00b"},
        {"campaign": "../../etc/passwd"},
        {"region": "6405' OR 1=1 --"},
    ],
)
def test_malformed_parameters_answer_200_with_a_message(client, published, params):
    response, body = search(client, **params)
    assert 'class="msg msg-error"' in body
    assert found(response) == []


def test_filters_by_region_kind_format_and_dates_narrow_the_results(client, make_activity, tree):
    lecture = make_activity(title="讲座一")
    make_activity(title="展览一", kind="exhibition")
    make_activity(title="线上一", format="online", venue="", online_url="https://example.com/live")
    day = timezone.localtime(lecture.starts_at).date().isoformat()  # a day in the site's zone
    response, _ = search(
        client,
        region=tree.regions.zhongwei.code,
        kind="lecture",
        format="onsite",
        date_from=day,
        date_to=day,
    )
    assert found(response) == [lecture.title]
    response, _ = search(client, format="online")
    assert found(response) == ["线上一"]


def test_too_many_query_parameters_are_a_bad_request_not_a_crash(client, db):
    response = client.get(search_url() + "?" + "&".join(["kind=lecture"] * 1200))
    assert response.status_code == 400


def test_html_in_titles_is_shown_escaped(client, make_activity):
    activity = make_activity(title='<script>alert("x")</script><b>讲座</b>')
    response, body = search(client, q="讲座")
    assert '<script>alert("x")' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;" in body
    with translation.override("en"):
        detail = client.get(reverse("activities:activity-detail", args=[activity.pk]))
    page = detail.content.decode()
    assert '<script>alert("x")' not in page
    assert 'content="&lt;script&gt;alert(&quot;x&quot;)' in page  # og:title stays an attribute


def test_the_query_string_is_not_echoed_unescaped_into_links(client, db):
    _, body = search(client, q='"><script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in body


def test_search_page_is_a_fixed_number_of_queries(
    client, make_activity, django_assert_max_num_queries
):
    for i in range(12):
        make_activity(title=f"讲座{i}")
    with django_assert_max_num_queries(12):
        response, _ = search(client, q="讲座")
    assert len(found(response)) == 12
    assert Activity.objects.count() == 12
