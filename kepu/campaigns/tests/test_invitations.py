"""Invited-only campaigns: who may be invited, who takes part, and the workbench form."""

import pytest
from django.urls import reverse
from django.utils import translation

from kepu.activities.models import Activity
from kepu.campaigns import services
from kepu.campaigns.models import Campaign
from kepu.core.errors import DomainError
from kepu.core.models import AuditEntry
from kepu.organisations.services import add_organisation

INVITED = Campaign.Participation.INVITED


def url(name, *args):
    with translation.override("en"):
        return reverse(f"campaigns:{name}", args=args)


def invite(campaign, actor, *organisations):
    return services.update_campaign(
        campaign, actor=actor, participation=INVITED, invited=list(organisations)
    )


def new_campaign(actor, organiser, **fields):
    fields.setdefault("title", "沙坡头区科技活动周")
    fields.setdefault("slug", "shapotou-sci-week")
    fields.setdefault("starts_on", "2031-05-18")
    fields.setdefault("ends_on", "2031-05-24")
    return services.create_campaign(actor=actor, organiser=organiser, **fields)


def form_data(organiser=None, **overrides):
    data = {
        "title": "2031年沙坡头区科技活动周",
        "theme": "矢志创新 共赢未来",
        "slug": "shapotou-sci-week-2031",
        "starts_on": "2031-05-18",
        "ends_on": "2031-05-24",
        "time_zone": "Asia/Shanghai",
        "language": "zh-hans",
        "participation": "subtree",
        "is_public": "on",
    }
    if organiser is not None:
        data["organiser"] = organiser.pk
    data.update(overrides)
    return data


@pytest.fixture
def other_city(tree):
    """A sibling of the city under the same province: outside the city's tree."""
    return add_organisation(
        parent=tree.province, name="固原市科学技术协会", kind="association", level="city"
    )


# --- Taking part ------------------------------------------------------------------------------


def test_an_invited_campaign_refuses_an_activity_of_a_unit_that_is_not_invited(
    tree, campaign, make_activity
):
    invite(campaign, tree.admin, tree.unit_a)
    with pytest.raises(DomainError) as refused:
        make_activity(status="draft", organisation=tree.unit_b)
    assert refused.value.code == "not_participating"
    assert not Activity.objects.filter(organisation=tree.unit_b).exists()


def test_an_invited_campaign_accepts_an_activity_of_an_invited_unit(tree, campaign, make_activity):
    invite(campaign, tree.admin, tree.unit_a)
    activity = make_activity(status="draft", organisation=tree.unit_a)
    assert activity.campaign == campaign
    assert activity.organisation == tree.unit_a


def test_inviting_a_county_lets_the_units_below_it_take_part(tree, campaign, make_activity):
    invite(campaign, tree.admin, tree.county)
    assert services.participates(campaign, tree.unit_a)
    assert services.participates(campaign, tree.unit_b)
    assert services.participates(campaign, tree.city)  # the organiser itself
    assert make_activity(status="draft", organisation=tree.unit_b).organisation == tree.unit_b


def test_the_refusal_of_a_unit_that_is_not_invited_is_translated(tree, campaign, make_activity):
    invite(campaign, tree.admin, tree.unit_a)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        make_activity(status="draft", organisation=tree.unit_b)
    assert refused.value.message == "Your organisation does not take part in this campaign."


def test_a_subtree_campaign_ignores_invited_organisations(tree, make_activity):
    campaign = new_campaign(tree.admin, tree.city, participation="subtree", invited=[tree.unit_a])
    assert list(campaign.invited.all()) == []
    assert services.participates(campaign, tree.unit_b)
    activity = make_activity(status="draft", organisation=tree.unit_b, campaign=campaign)
    assert activity.organisation == tree.unit_b


def test_switching_back_to_the_subtree_clears_the_invitations(tree, campaign):
    invite(campaign, tree.admin, tree.unit_a)
    services.update_campaign(campaign, actor=tree.admin, participation="subtree")
    assert list(campaign.invited.all()) == []
    assert services.participates(campaign, tree.unit_b)


# --- Who may be invited -----------------------------------------------------------------------


def test_inviting_an_organisation_outside_the_organisers_tree_is_refused(tree, other_city):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        new_campaign(
            tree.admin, tree.county, participation=INVITED, invited=[tree.unit_a, tree.city]
        )
    assert refused.value.code == "invited_outside_tree"
    assert "Only organisations under the organiser" in refused.value.message
    assert tree.city.name in refused.value.message
    assert not Campaign.objects.exists()


def test_inviting_a_sibling_tree_on_edit_is_refused_and_changes_nothing(tree, campaign, other_city):
    invite(campaign, tree.admin, tree.unit_a)
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        services.update_campaign(
            campaign, actor=tree.admin, title="改名", invited=[tree.unit_a, other_city]
        )
    assert refused.value.code == "invited_outside_tree"
    campaign.refresh_from_db()
    assert campaign.title == "2021年全国科普日"
    assert list(campaign.invited.all()) == [tree.unit_a]
    assert AuditEntry.objects.count() == entries


def test_an_invited_campaign_without_invited_organisations_is_refused(tree, campaign):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        new_campaign(tree.admin, tree.county, participation=INVITED, invited=[])
    assert refused.value.code == "invited_empty"
    assert "Choose at least one invited organisation" in refused.value.message
    with pytest.raises(DomainError) as refused:
        # The current set (empty) is kept when ``invited`` is not given.
        services.update_campaign(campaign, actor=tree.admin, participation=INVITED)
    assert refused.value.code == "invited_empty"
    campaign.refresh_from_db()
    assert campaign.participation == "subtree"


def test_creating_an_invited_campaign_records_the_invited_set_in_the_audit_entry(tree):
    campaign = new_campaign(
        tree.admin,
        tree.city,
        participation=INVITED,
        invited=[tree.unit_b, tree.unit_a, tree.unit_a],
    )
    assert set(campaign.invited.all()) == {tree.unit_a, tree.unit_b}
    entry = AuditEntry.objects.get(action="campaigns.campaign.created", object_id=str(campaign.pk))
    assert entry.after["invited"] == [
        {"id": tree.unit_a.pk, "name": tree.unit_a.name},
        {"id": tree.unit_b.pk, "name": tree.unit_b.name},
    ]


# --- The workbench form -----------------------------------------------------------------------


def test_the_create_form_offers_the_organisations_the_person_manages_in_tree_order(
    client, tree, campaign
):
    client.force_login(tree.coordinator)
    page = client.get(url("work-campaign-create"))
    assert page.status_code == 200
    field = page.context["form"]["invited"]
    assert [org for org in field.field.queryset] == [tree.county, tree.unit_a, tree.unit_b]
    labels = [choice.choice_label for choice in field]
    assert labels[0] == tree.county.name
    assert labels[1] == "\u00a0" * 4 + tree.unit_a.name  # indented one level
    html = page.content.decode()
    assert 'type="checkbox" name="invited"' in html
    assert tree.city.name not in labels


def test_creating_an_invited_campaign_through_the_form(client, tree):
    client.force_login(tree.admin)
    response = client.post(
        url("work-campaign-create"),
        form_data(tree.county, participation="invited", invited=[tree.unit_a.pk]),
    )
    assert response.status_code == 302
    created = Campaign.objects.get(slug="shapotou-sci-week-2031")
    assert list(created.invited.all()) == [tree.unit_a]
    detail = client.get(url("work-campaign-detail", created.pk))
    assert list(detail.context["invited"]) == [tree.unit_a]
    assert f"<li>{tree.unit_a.name}</li>" in detail.content.decode()


def test_the_form_refuses_an_invited_campaign_without_invitations_with_a_message(client, tree):
    client.force_login(tree.admin)
    response = client.post(
        url("work-campaign-create"), form_data(tree.county, participation="invited")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at least one invited organisation" in html
    assert "矢志创新 共赢未来" in html  # the input is kept
    assert response.context["form"].errors["invited"]
    assert not Campaign.objects.filter(slug="shapotou-sci-week-2031").exists()


def test_the_form_refuses_invitations_outside_the_organisers_tree(client, tree):
    client.force_login(tree.admin)
    response = client.post(
        url("work-campaign-create"),
        form_data(tree.county, participation="invited", invited=[tree.city.pk]),
    )
    assert response.status_code == 400
    assert "Only organisations under the organiser" in response.content.decode()
    assert not Campaign.objects.filter(slug="shapotou-sci-week-2031").exists()


def test_the_form_cannot_invite_an_organisation_the_person_does_not_manage(
    client, tree, other_city
):
    client.force_login(tree.admin)
    response = client.post(
        url("work-campaign-create"),
        form_data(tree.city, participation="invited", invited=[other_city.pk]),
    )
    assert response.status_code == 400
    assert not Campaign.objects.filter(slug="shapotou-sci-week-2031").exists()


def test_the_edit_form_saves_the_invited_set_and_writes_an_audit_entry(client, tree, campaign):
    invite(campaign, tree.admin, tree.unit_a)
    client.force_login(tree.admin)
    page = client.get(url("work-campaign-edit", campaign.pk))
    assert page.context["form"]["invited"].value() == [tree.unit_a.pk]
    data = form_data(
        slug=campaign.slug,
        title=campaign.title,
        participation="invited",
        invited=[tree.unit_b.pk, tree.county.pk],
    )
    response = client.post(url("work-campaign-edit", campaign.pk), data)
    assert response.status_code == 302
    assert set(campaign.invited.all()) == {tree.county, tree.unit_b}
    entry = AuditEntry.objects.filter(
        action="campaigns.campaign.updated", object_id=str(campaign.pk)
    ).latest("pk")
    assert entry.actor == tree.admin
    assert entry.before["invited"] == [{"id": tree.unit_a.pk, "name": tree.unit_a.name}]
    assert entry.after["invited"] == [
        {"id": tree.county.pk, "name": tree.county.name},
        {"id": tree.unit_b.pk, "name": tree.unit_b.name},
    ]
    detail = client.get(url("work-campaign-detail", campaign.pk)).content.decode()
    assert "Invited organisations" in detail
    assert f"<li>{tree.county.name}</li><li>{tree.unit_b.name}</li>" in detail
