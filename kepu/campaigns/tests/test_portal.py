"""The public campaign pages: home, campaign detail with joint actions and activities, calendar."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from kepu.campaigns.models import Campaign
from kepu.campaigns.services import create_campaign


@pytest.fixture(autouse=True)
def _empty_page_cache():
    cache.clear()
    yield
    cache.clear()


def url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def new_campaign(
    tree, *, slug, title, days_from_now=0, length=10, parent=None, organiser=None, **fields
):
    today = timezone.localdate()
    return create_campaign(
        actor=tree.admin,
        organiser=organiser or tree.city,
        parent=parent,
        title=title,
        slug=slug,
        starts_on=today + dt.timedelta(days=days_from_now),
        ends_on=today + dt.timedelta(days=days_from_now + length),
        **fields,
    )


@pytest.fixture
def child(tree, campaign):
    return new_campaign(
        tree, slug="shapotou-2021", title="沙坡头区科普日", parent=campaign, organiser=tree.county
    )


def test_home_lists_current_and_upcoming_public_campaigns_by_first_day(client, tree, campaign):
    later = new_campaign(tree, slug="week-later", title="科技活动周", days_from_now=20)
    new_campaign(tree, slug="past", title="往年科普日", days_from_now=-60)
    new_campaign(tree, slug="hidden", title="内部活动", is_public=False)
    response = client.get(url("campaigns:home"))
    assert response.status_code == 200
    assert [c.slug for c in response.context["campaigns"]] == [campaign.slug, later.slug]
    body = response.content.decode()
    assert "往年科普日" not in body and "内部活动" not in body
    assert f'action="{url("activities:activity-list")}"' in body and 'name="q"' in body


def test_campaign_page_shows_theme_deadlines_joint_actions_and_published_activities(
    client, campaign, make_activity
):
    shown = make_activity(title="公开讲座")
    make_activity(status="submitted", title="待审讲座")
    response = client.get(url("campaigns:campaign-detail", campaign.slug))
    body = response.content.decode()
    assert response.status_code == 200
    assert campaign.theme in body
    assert "水利科普联合行动" in body and "沙坡头区水务局" in body  # the lead unit
    assert [a.title for a in response.context["activities"]] == [shown.title]
    assert "待审讲座" not in body
    local = timezone.localtime(campaign.register_by, campaign.tz)
    assert local.isoformat() in body  # deadlines in the campaign's time zone
    assert url("campaigns:campaign-calendar", campaign.slug) in body


def test_a_child_campaign_inherits_the_theme_and_the_parent_lists_its_activities(
    client, campaign, child, make_activity
):
    local = make_activity(campaign=child, title="区级讲座")
    parent_page = client.get(url("campaigns:campaign-detail", campaign.slug))
    assert local.title in [a.title for a in parent_page.context["activities"]]
    assert "沙坡头区科普日" in parent_page.content.decode()
    child_page = client.get(url("campaigns:campaign-detail", child.slug)).content.decode()
    assert campaign.theme in child_page
    assert "水利科普联合行动" in child_page  # joint actions are inherited too


def test_a_campaign_that_is_not_public_or_does_not_exist_is_404(client, tree):
    new_campaign(tree, slug="hidden", title="内部活动", is_public=False)
    for slug in ("hidden", "nope"):
        assert client.get(url("campaigns:campaign-detail", slug)).status_code == 404
        assert client.get(url("campaigns:campaign-calendar", slug)).status_code == 404


@pytest.mark.parametrize("page", ["abc", "99999", "0"])
def test_a_bad_page_number_on_a_campaign_still_answers(client, campaign, make_activity, page):
    make_activity()
    response = client.get(url("campaigns:campaign-detail", campaign.slug), {"page": page})
    assert response.status_code == 200
    assert len(response.context["activities"]) == 1


def test_campaign_calendar_has_one_event_per_published_activity(
    client, campaign, child, make_activity
):
    first = make_activity(title="第一场")
    second = make_activity(title="第二场", campaign=child)
    make_activity(status="draft", title="草稿")
    response = client.get(url("campaigns:campaign-calendar", campaign.slug))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode().replace("\r\n ", "")
    assert text.count("BEGIN:VEVENT") == 2
    assert f"UID:activity-{first.pk}@" in text and f"UID:activity-{second.pk}@" in text
    assert "草稿" not in text


def test_campaign_titles_with_markup_are_escaped(client, tree):
    new_campaign(tree, slug="xss", title="<img src=x onerror=alert(1)>科普日")
    body = client.get(url("campaigns:home")).content.decode()
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert Campaign.objects.filter(slug="xss").exists()


def test_home_is_served_from_the_cache_for_anonymous_visitors(client, campaign, tree, settings):
    settings.KEPU_PUBLIC_CACHE_SECONDS = 15
    assert client.get(url("campaigns:home"))["X-Kepu-Cache"] == "miss"
    assert client.get(url("campaigns:home"))["X-Kepu-Cache"] == "hit"
    client.force_login(tree.public)
    assert "X-Kepu-Cache" not in client.get(url("campaigns:home"))


def test_home_lists_the_quizzes_open_now_even_of_a_past_campaign(client, tree, campaign):
    from kepu.quizzes.models import Quiz
    from kepu.quizzes.tests.helpers import bank, open_quiz

    bank(tree)
    past = new_campaign(tree, slug="past-epidemic", title="防疫科普", days_from_now=-60)
    quiz = open_quiz(tree, past, title="防疫知识网上有奖竞答")
    closed = open_quiz(tree, campaign, title="已结束的竞赛")
    Quiz.objects.filter(pk=closed.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    body = client.get(url("campaigns:home")).content.decode()
    assert f'href="{url("quizzes:quiz-detail", quiz.pk)}"' in body
    assert "已结束的竞赛" not in body
