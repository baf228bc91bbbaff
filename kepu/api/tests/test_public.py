import pytest

from kepu.activities.models import Activity


@pytest.fixture
def three_scripts(make_activity):
    return {
        "zh": make_activity(title="碳达峰碳中和科普讲座"),
        "vi": make_activity(title="Phòng chống thiên tai cho học sinh", description="Bão lũ."),
        "other": make_activity(title="水资源保护展览", kind="exhibition", description="节约用水。"),
    }


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_search_finds_activities_in_simplified_traditional_and_vietnamese(client, three_scripts):
    assert _titles(client.get("/api/v1/activities", {"q": "碳达峰"})) == ["碳达峰碳中和科普讲座"]
    assert _titles(client.get("/api/v1/activities", {"q": "碳達峰"})) == ["碳达峰碳中和科普讲座"]
    assert _titles(client.get("/api/v1/activities", {"q": "phong chong"})) == [
        "Phòng chống thiên tai cho học sinh"
    ]


def test_search_filters_by_repeated_kind_and_campaign(client, three_scripts, campaign):
    titles = _titles(client.get("/api/v1/activities?kind=exhibition&kind=lecture"))
    assert len(titles) == 3
    assert _titles(client.get("/api/v1/activities", {"kind": "exhibition"})) == ["水资源保护展览"]
    assert len(_titles(client.get("/api/v1/activities", {"campaign": campaign.slug}))) == 3
    assert _titles(client.get("/api/v1/activities", {"campaign": "no-such-campaign"})) == []


def test_the_list_is_paginated_and_the_limit_is_capped_at_100(client, three_scripts):
    body = client.get("/api/v1/activities", {"limit": 2, "page": 2}).json()
    assert (body["count"], body["page"], body["limit"], body["pages"]) == (3, 2, 2, 2)
    assert (body["count_exact"], body["has_next"]) == (True, False)
    assert len(body["items"]) == 1
    first = client.get("/api/v1/activities", {"limit": 2, "page": 1}).json()
    assert (first["count"], first["count_exact"], first["has_next"]) == (3, True, True)
    capped = client.get("/api/v1/activities", {"limit": 100000})
    assert capped.status_code == 200
    assert capped.json()["limit"] == 100


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=0", "limit=-1", "date_from=yesterday", "page=99999999999999999999999999"],
)
def test_bad_paging_and_filter_values_are_a_coded_422_not_a_500(client, db, query):
    response = client.get(f"/api/v1/activities?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"]
    assert body["errors"][0]["location"] == "query"


def test_list_items_carry_times_in_the_campaign_zone_and_no_private_data(client, published):
    item = client.get("/api/v1/activities").json()["items"][0]
    assert item["id"] == published.pk
    assert item["time_zone"] == "Asia/Shanghai"
    assert item["starts_at"].endswith("+08:00")
    assert item["organisation"]["name"] == "中卫市沙坡头区第十一小学"
    assert "contact_phone" not in item


def test_detail_of_a_published_activity_masks_the_contact_phone(client, published):
    response = client.get(f"/api/v1/activities/{published.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["description"] == published.description
    assert body["contact_phone"] == "151****8601"
    assert body["campaign"]["slug"] == "science-day-2021"


@pytest.mark.parametrize("status", ["draft", "submitted", "approved"])
def test_detail_of_an_unpublished_activity_is_404(client, make_activity, status):
    activity = make_activity(status=status)
    response = client.get(f"/api/v1/activities/{activity.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Activity.objects.public().filter(pk=activity.pk).exists()
    assert client.get("/api/v1/activities").json()["count"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/activities/999999",
        "/api/v1/activities/0",
        "/api/v1/activities/abc",
        "/api/v1/activities/99999999999999999999999",
    ],
)
def test_missing_or_malformed_activity_ids_are_json_errors(client, db, path):
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert response.json()["code"] in ("not_found", "invalid")


def test_public_campaigns_list_and_detail_with_joint_actions(client, campaign):
    body = client.get("/api/v1/campaigns").json()
    assert [c["slug"] for c in body["items"]] == ["science-day-2021"]
    detail = client.get("/api/v1/campaigns/science-day-2021").json()
    assert detail["joint_actions"][0]["title"] == "水利科普联合行动"
    assert detail["joint_actions"][0]["lead_unit"] == "沙坡头区水务局"


def test_a_hidden_campaign_is_404(client, campaign):
    campaign.is_public = False
    campaign.save()
    assert client.get("/api/v1/campaigns").json()["count"] == 0
    response = client.get("/api/v1/campaigns/science-day-2021")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_and_detail_query_counts_do_not_grow_with_the_rows(
    client, three_scripts, django_assert_num_queries
):
    # One page with its related rows; a page that reaches the end of the list needs no COUNT.
    with django_assert_num_queries(1):
        assert client.get("/api/v1/activities").json()["count"] == 3
    with django_assert_num_queries(3):  # the activity + audiences + topics
        client.get(f"/api/v1/activities/{three_scripts['zh'].pk}")
