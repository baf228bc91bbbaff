"""The staff workbench for campaigns: who may manage, forms, deadlines, joint actions, targets."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kepu.campaigns import services
from kepu.campaigns.models import Campaign, CampaignTarget, DeadlineReopening, JointAction
from kepu.core.models import AuditEntry


def url(name, *args):
    with translation.override("en"):
        return reverse(f"campaigns:{name}", args=args)


def campaign_data(organiser, **overrides):
    data = {
        "organiser": organiser.pk,
        "title": "2025年沙坡头区科技活动周",
        "theme": "矢志创新 共赢未来",
        "slug": "shapotou-sci-week-2025",
        "starts_on": "2031-05-18",
        "ends_on": "2031-05-24",
        "time_zone": "Asia/Shanghai",
        "language": "zh-hans",
        "description": "全区科技活动周。",
        "register_by": "2031-05-10T17:00",
        "participation": "subtree",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def test_campaign_pages_need_campaigns_manage(client, tree, campaign):
    client.force_login(tree.reporter_a)
    assert client.get(url("work-campaign-list")).status_code == 403
    client.force_login(tree.public)
    assert client.get(url("work-campaign-detail", campaign.pk)).status_code == 403
    client.logout()
    response = client.get(url("work-campaign-list"))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_coordinator_sees_only_campaigns_of_their_subtree(client, tree, campaign):
    local = services.create_campaign(
        actor=tree.coordinator,
        organiser=tree.county,
        parent=campaign,
        title="沙坡头区科普日",
        slug="shapotou-science-day",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    client.force_login(tree.coordinator)
    page = client.get(url("work-campaign-list"))
    assert list(page.context["page"].object_list) == [local]
    assert client.get(url("work-campaign-detail", campaign.pk)).status_code == 404
    assert client.get(url("work-campaign-edit", campaign.pk)).status_code == 404
    client.force_login(tree.admin)
    assert {c.pk for c in client.get(url("work-campaign-list")).context["page"]} == {
        campaign.pk,
        local.pk,
    }


def test_admin_creates_a_campaign_with_deadlines_in_its_time_zone(client, tree):
    client.force_login(tree.admin)
    assert client.get(url("work-campaign-create")).status_code == 200
    response = client.post(
        url("work-campaign-create"), campaign_data(tree.county, time_zone="Asia/Ho_Chi_Minh")
    )
    created = Campaign.objects.get(slug="shapotou-sci-week-2025")
    assert response.status_code == 302
    assert response["Location"] == url("work-campaign-detail", created.pk)
    # 17:00 in Ho Chi Minh City (UTC+7) is 10:00 UTC.
    assert created.register_by == dt.datetime(2031, 5, 10, 10, 0, tzinfo=dt.UTC)
    assert AuditEntry.objects.filter(
        action="campaigns.campaign.created", object_id=str(created.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "Unknown time zone: Mars/Olympus"),
        ({"ends_on": "2031-05-01"}, "The last day cannot be before the first day."),
        ({"title": "长" * 300}, "at most 200 characters"),
        ({"slug": "science-day-2021"}, "Another campaign already uses this short name."),
    ],
)
def test_invalid_campaign_form_shows_the_message_and_creates_nothing(
    client, tree, campaign, overrides, message
):
    client.force_login(tree.admin)
    before = Campaign.objects.count()
    response = client.post(url("work-campaign-create"), campaign_data(tree.county, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "矢志创新 共赢未来" in response.content.decode()  # the input is kept
    assert Campaign.objects.count() == before


def test_script_in_a_campaign_title_is_escaped(client, tree):
    client.force_login(tree.admin)
    title = "<script>alert(1)</script>科普日"
    client.post(url("work-campaign-create"), campaign_data(tree.county, title=title))
    created = Campaign.objects.get(slug="shapotou-sci-week-2025")
    html = client.get(url("work-campaign-detail", created.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;科普日" in html


def test_a_child_campaign_outside_the_parent_organiser_is_refused(client, tree, campaign):
    other_root = services.create_campaign(
        actor=tree.admin,
        organiser=tree.county,
        title="区级活动",
        slug="county-only",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    client.force_login(tree.admin)
    response = client.post(
        url("work-campaign-create"), campaign_data(tree.city, parent=other_root.pk)
    )
    assert response.status_code == 400
    assert "must be run by an organisation under the parent" in response.content.decode()
    assert not Campaign.objects.filter(slug="shapotou-sci-week-2025").exists()


def test_editing_a_campaign_is_audited(client, tree, campaign):
    client.force_login(tree.admin)
    page = client.get(url("work-campaign-edit", campaign.pk))
    assert campaign.slug in page.content.decode()
    data = campaign_data(tree.city, slug=campaign.slug, title="2021年全国科普日(中卫)")
    data.pop("organiser")
    response = client.post(url("work-campaign-edit", campaign.pk), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "2021年全国科普日(中卫)"
    assert AuditEntry.objects.filter(action="campaigns.campaign.updated").exists()


def test_detail_shows_phases_joint_actions_targets_and_activity_counts(
    client, tree, campaign, make_activity
):
    make_activity(status="draft")
    make_activity(status="published")
    client.force_login(tree.admin)
    page = client.get(url("work-campaign-detail", campaign.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "水利科普联合行动" in html
    assert tree.unit_b.name in html  # lead unit
    counts = dict(page.context["activity_counts"])
    assert sum(counts.values()) == 2


def test_joint_action_reopening_and_target_forms_call_the_services(client, tree, campaign):
    client.force_login(tree.admin)
    response = client.post(
        url("work-jointaction-create", campaign.pk),
        {"title": "防疫科普联合行动", "lead_unit": tree.unit_a.pk},
    )
    assert response.status_code == 302
    assert JointAction.objects.filter(title="防疫科普联合行动", lead_unit=tree.unit_a).exists()
    until = timezone.localtime(timezone.now(), campaign.tz) + dt.timedelta(days=3)
    response = client.post(
        url("work-phase-reopen", campaign.pk),
        {
            "phase": "registration",
            "until": until.strftime("%Y-%m-%dT%H:%M"),
            "organisation": tree.unit_a.pk,
        },
    )
    assert response.status_code == 302
    reopening = DeadlineReopening.objects.get()
    assert reopening.organisation == tree.unit_a
    response = client.post(
        url("work-target-set", campaign.pk), {"level": "county", "min_key_activities": "80"}
    )
    assert response.status_code == 302
    assert CampaignTarget.objects.get().min_key_activities == 80
    html = client.get(url("work-campaign-detail", campaign.pk)).content.decode()
    assert "防疫科普联合行动" in html
    assert tree.unit_a.name in html


def test_reopening_in_the_past_is_refused_with_a_message(client, tree, campaign):
    client.force_login(tree.admin)
    response = client.post(
        url("work-phase-reopen", campaign.pk),
        {"phase": "registration", "until": "2001-01-01T00:00"},
    )
    assert response.status_code == 400
    assert "must be in the future" in response.content.decode()
    assert not DeadlineReopening.objects.exists()
    bad = client.post(
        url("work-target-set", campaign.pk), {"level": "galaxy", "min_key_activities": "-1"}
    )
    assert bad.status_code == 400
    assert not CampaignTarget.objects.exists()


def test_campaign_posts_are_scoped(client, tree, campaign):
    client.force_login(tree.coordinator)
    response = client.post(
        url("work-target-set", campaign.pk), {"level": "county", "min_key_activities": "80"}
    )
    assert response.status_code == 404
    assert not CampaignTarget.objects.exists()
