"""The campaign dashboard: hand-counted figures, roll-up, scoping, drill-down, targets, filters."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kepu.activities.models import CheckIn, Feedback
from kepu.campaigns.models import Campaign
from kepu.campaigns.services import create_campaign, set_target
from kepu.exports import registry
from kepu.organisations.services import add_organisation, add_region
from kepu.results.models import Outcome
from kepu.stats import selectors
from kepu.stats.selectors import Filters

pytestmark = pytest.mark.django_db


def dashboard(user, campaign, **filters):
    return selectors.campaign_dashboard(user, campaign, Filters(**filters))


def url(campaign, **params):
    path = reverse("stats:campaign-dashboard", args=[campaign.pk]).replace("/zh-hans/", "/en/")
    return path, params


@pytest.fixture
def figures(tree, campaign, make_activity):
    """Unit A: two counted activities (one key, with outcome, check-ins, ratings) and a draft;
    unit B: one counted activity (key, online) and a cancelled one."""
    a1 = make_activity(title="讲座一", is_key=True)
    a2 = make_activity(status="submitted", title="展览", kind="exhibition")
    make_activity(status="draft", title="草稿")
    b1 = make_activity(
        organisation=tree.unit_b,
        title="水利云上游馆",
        kind="cloud_visit",
        format="online",
        venue="",
        online_url="https://example.com/live",
        is_key=True,
        joint_action=campaign.joint_actions.get(),
    )
    from kepu.activities import services

    cancelled = make_activity(organisation=tree.unit_b, title="取消的")
    services.cancel_activity(cancelled, actor=tree.reporter_b, reason="天气")
    Outcome.objects.create(activity=a1, participants_onsite=120, participants_online=30)
    Outcome.objects.create(activity=b1, participants_online=500, online_views=2000)
    CheckIn.objects.create(activity=a1, user=tree.public, method="staff")
    CheckIn.objects.create(activity=a1, name="路人", method="walk_in")
    Feedback.objects.create(activity=a1, user=tree.public, rating=5)
    Feedback.objects.create(activity=a1, user=tree.reporter_b, rating=4)
    Feedback.objects.create(activity=b1, user=tree.public, rating=2)
    return {"a1": a1, "a2": a2, "b1": b1}


def test_totals_equal_the_hand_counted_figures(tree, campaign, figures):
    board = dashboard(tree.admin, campaign)
    t = board.totals
    assert (t.activities, t.key_activities) == (3, 2)  # draft and cancelled left out
    assert t.participants == 120 + 30 + 500
    assert t.online_views == 2000
    assert t.checkins == 2
    assert (t.ratings, t.rating_avg) == (3, round(11 / 3, 2))


def test_breakdowns_by_organisation_kind_joint_action_and_day(tree, campaign, figures):
    with translation.override("en"):  # the labels of rows without a joint action
        board = dashboard(tree.admin, campaign)
    assert board.node == tree.city
    assert [(r.label, r.activities) for r in board.by_organisation] == [(tree.county.name, 3)]
    kinds = {r.key: r.activities for r in board.by_kind}
    assert kinds == {"lecture": 1, "exhibition": 1, "cloud_visit": 1}
    actions = {r.label: (r.activities, r.participants) for r in board.by_joint_action}
    assert actions["水利科普联合行动"] == (1, 500)
    assert actions["No joint action"] == (2, 150)
    day = timezone.localtime(figures["a1"].starts_at, campaign.tz).date()
    assert [(r.key, r.activities) for r in board.by_day] == [(str(day), 3)]


def test_a_day_is_counted_in_the_campaign_time_zone(tree, campaign, make_activity):
    # 17:30 UTC is 01:30 the next day in Shanghai.
    start = dt.datetime(2030, 9, 17, 17, 30, tzinfo=dt.UTC)
    make_activity(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    board = dashboard(tree.admin, campaign)
    assert [r.key for r in board.by_day] == ["2030-09-18"]
    assert dashboard(tree.admin, campaign, date_from=dt.date(2030, 9, 18)).totals.activities == 1
    assert dashboard(tree.admin, campaign, date_to=dt.date(2030, 9, 17)).totals.activities == 0


def test_figures_roll_up_from_a_child_campaign(tree, campaign, make_activity):
    child = create_campaign(
        actor=tree.admin,
        organiser=tree.county,
        parent=campaign,
        title="沙坡头区科普日",
        slug="shapotou-science-day",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    make_activity(campaign=child, title="子活动讲座")
    make_activity(title="父活动讲座")
    assert dashboard(tree.admin, campaign).totals.activities == 2
    assert dashboard(tree.admin, child).totals.activities == 1


def test_unit_b_staff_never_see_unit_a_numbers(tree, campaign, figures):
    board = dashboard(tree.reporter_b, campaign)
    assert board.node == tree.unit_b
    assert board.totals.activities == 1
    assert board.totals.participants == 500
    assert board.totals.checkins == 0
    assert (board.totals.ratings, board.totals.rating_avg) == (1, 2.0)


def test_a_county_sees_its_units_only(tree, campaign, figures, make_activity):
    other_county = add_organisation(
        parent=tree.city, name="中宁县科协", kind="association", level="county"
    )
    make_activity(
        status="submitted", organisation=other_county, reporter=tree.admin, title="中宁县讲座"
    )
    board = dashboard(tree.reviewer, campaign)
    assert board.node == tree.county
    assert board.totals.activities == 3
    labels = {r.label: r.activities for r in board.by_organisation}
    assert labels == {tree.unit_a.name: 2, tree.unit_b.name: 1}
    assert dashboard(tree.admin, campaign).totals.activities == 4


def test_organisation_filter_outside_scope_is_refused_on_the_page(client, tree, campaign, figures):
    client.force_login(tree.reporter_b)
    path, _ = url(campaign)
    response = client.get(path, {"organisation": tree.unit_a.pk})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()
    assert response.context["board"].totals.activities == 1


def test_drill_down_from_region_to_units(tree, campaign, figures):
    board = dashboard(tree.admin, campaign)
    assert [(r.label, r.activities) for r in board.by_region] == [("宁夏回族自治区", 3)]
    assert board.by_region[0].drill == {"region": "64"}
    board = dashboard(tree.admin, campaign, region=tree.regions.ningxia)
    assert [(r.label, r.drill) for r in board.by_region] == [("中卫市", {"region": "6405"})]
    board = dashboard(tree.admin, campaign, region=tree.regions.shapotou)
    assert board.region_units
    units = {r.label: (r.activities, r.drill) for r in board.by_region}
    assert units == {
        tree.unit_a.name: (2, {"organisation": str(tree.unit_a.pk)}),
        tree.unit_b.name: (1, {"organisation": str(tree.unit_b.pk)}),
    }


def test_drill_down_links_on_the_page_keep_the_other_filters(client, tree, campaign, figures):
    client.force_login(tree.admin)
    path, _ = url(campaign)
    response = client.get(path, {"region": "6405", "activity_kind": "lecture"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "region=640502" in html and "activity_kind=lecture" in html
    assert response.context["board"].totals.activities == 1


def test_target_progress_per_organisation_of_the_level(tree, campaign, figures, make_activity):
    set_target(campaign, actor=tree.admin, level="county", min_key_activities=2)
    set_target(campaign, actor=tree.admin, level="unit", min_key_activities=1)
    make_activity(title="非重点", is_key=False)
    rows = {
        (t.level, t.organisation.name): (t.done, t.target, t.met)
        for t in dashboard(tree.admin, campaign).targets
    }
    assert rows == {
        ("county", tree.county.name): (2, 2, True),
        ("unit", tree.unit_a.name): (1, 1, True),
        ("unit", tree.unit_b.name): (1, 1, True),
    }
    rows = [(t.organisation.name, t.done) for t in dashboard(tree.reporter_a, campaign).targets]
    assert rows == [(tree.unit_a.name, 1)]


def test_bad_filter_values_give_the_page_with_a_message(client, tree, campaign, figures):
    client.force_login(tree.admin)
    path, _ = url(campaign)
    response = client.get(
        path,
        {
            "region": "nowhere",
            "activity_kind": "rocket",
            "date_from": "2021-13-45",
            "joint_action": "x",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were not understood and are not applied" in html
    assert "Select a valid choice" in html and "Enter a valid date" in html
    assert response.context["board"].totals.activities == 3  # nothing applied
    response = client.get(path, {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert "The end date cannot be before the start date." in response.content.decode()


def test_the_page_has_charts_tables_and_no_script(client, tree, campaign, figures):
    client.force_login(tree.admin)
    path, _ = url(campaign)
    response = client.get(path)
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 5
    assert '<title id="chart-kind-title">Activities by kind</title>' in html
    assert "<script>" not in html and "style=" not in html
    assert "drafts and cancelled activities are left out" in html


def test_a_sibling_city_campaign_is_404_and_the_public_is_refused(client, tree, campaign):
    other = create_campaign(
        actor=tree.admin,
        organiser=tree.city,
        title="另一个活动",
        slug="another",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    sibling_city = add_organisation(
        parent=tree.province, name="银川市科协", kind="association", level="city"
    )
    Campaign.objects.filter(pk=other.pk).update(organiser=sibling_city)
    client.force_login(tree.reporter_a)
    path, _ = url(other)
    assert client.get(path).status_code == 404
    client.force_login(tree.public)
    path, _ = url(campaign)
    assert client.get(path).status_code == 403


def test_the_api_returns_the_same_figures_and_refuses_bad_filters(client, tree, campaign, figures):
    from kepu.accounts.models import ApiToken

    _token, token = ApiToken.issue(tree.reviewer, name="test")
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    path = f"/api/v1/staff/campaigns/{campaign.pk}/statistics"
    body = client.get(path, {"activity_kind": "lecture"}, headers=headers).json()
    assert body["totals"]["activities"] == 1
    assert body["totals"]["checkins"] == 2
    response = client.get(path, {"activity_kind": "rocket"}, headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"


def test_the_export_kind_gives_the_breakdown_rows_scoped_to_the_user(tree, campaign, figures):
    kind = registry.get("campaign-statistics")
    with translation.override("en"):
        rows = list(kind.rows(tree.reporter_a, {"campaign": str(campaign.pk), "by": "kind"}))
        assert kind.columns({})[0] == "Group"
    assert sorted(r[:2] for r in rows) == [["Total", 2], ["exhibition", 1], ["lecture", 1]]
    from kepu.core.errors import NotFound

    with pytest.raises(NotFound):
        list(kind.rows(tree.reporter_a, {"campaign": str(campaign.pk), "by": "nonsense"}))
    with pytest.raises(NotFound):
        list(kind.rows(tree.reporter_a, {"campaign": "99999"}))


def test_regions_without_a_region_are_counted_apart(tree, campaign, make_activity):
    add_region(code="65", name="新疆维吾尔自治区")
    a = make_activity()
    a.region = None
    a.save(update_fields=["region"])
    with translation.override("en"):
        board = dashboard(tree.admin, campaign)
    assert [(r.label, r.activities) for r in board.by_region] == [("No region", 1)]


def test_the_number_of_queries_does_not_grow_with_the_rows(
    tree, campaign, figures, make_activity, django_assert_max_num_queries
):
    for i in range(3):
        unit = add_organisation(parent=tree.county, name=f"学校{i}", kind="school", level="unit")
        make_activity(status="submitted", organisation=unit, reporter=tree.admin)
    with django_assert_max_num_queries(24):
        board = dashboard(tree.admin, campaign)
    assert board.totals.activities == 6


def test_the_csv_button_downloads_the_breakdown_through_the_exports_app(
    client, tree, campaign, figures
):
    client.force_login(tree.reporter_b)
    path = reverse("exports:export").replace("/zh-hans/", "/en/")
    params = {"kind": "campaign-statistics", "campaign": campaign.pk, "format": "csv"}
    response = client.get(path, {**params, "by": "kind"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "cloud visit" in body and "Total" in body
    assert "lecture" not in body  # unit A's lecture is not unit B's to see
