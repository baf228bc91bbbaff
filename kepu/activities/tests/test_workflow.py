import datetime as dt

import pytest
from django.utils import timezone

from kepu.activities import services
from kepu.activities.models import Activity
from kepu.campaigns import services as campaign_services
from kepu.core.errors import DomainError, Forbidden
from kepu.core.models import AuditEntry

Status = Activity.Status


def test_unit_reporter_creates_a_draft_and_it_is_audited(make_activity, tree):
    activity = make_activity(status="draft")
    assert activity.status == Status.DRAFT
    entry = AuditEntry.objects.get(action="activities.activity.created", object_id=str(activity.pk))
    assert entry.actor == tree.reporter_a
    assert entry.after["title"] == activity.title


def test_full_workflow_draft_to_finished_writes_each_step_to_the_audit_log(make_activity, tree):
    activity = make_activity(
        status="draft",
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    services.submit_activity(activity, actor=tree.reporter_a)
    services.approve_activity(activity, actor=tree.reviewer)
    services.publish_activity(activity, actor=tree.reporter_a)
    services.finish_activity(activity, actor=tree.reporter_a)
    activity.refresh_from_db()
    assert activity.status == Status.FINISHED
    actions = list(
        AuditEntry.objects.filter(object_id=str(activity.pk), object_type="activities.activity")
        .order_by("id")
        .values_list("action", "before", "after")
    )
    assert [a[0] for a in actions] == [
        "activities.activity.created",
        "activities.activity.submitted",
        "activities.activity.approved",
        "activities.activity.published",
        "activities.activity.finished",
    ]
    assert actions[2][1] == {"status": "submitted"}
    assert actions[2][2]["status"] == "approved"


def test_returning_needs_a_reason_and_changes_nothing_without_one(make_activity, tree):
    activity = make_activity(status="submitted")
    with pytest.raises(DomainError) as err:
        services.return_activity(activity, actor=tree.reviewer, reason="  ")
    assert err.value.code == "reason_required"
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED


def test_returned_activity_carries_the_reason_and_can_be_resubmitted(make_activity, tree):
    activity = make_activity(status="submitted")
    services.return_activity(activity, actor=tree.reviewer, reason="请补充活动地点")
    activity.refresh_from_db()
    assert activity.status == Status.RETURNED
    assert activity.return_reason == "请补充活动地点"
    assert tree.reporter_a.notifications.filter(message__contains="请补充活动地点").exists()
    services.submit_activity(activity, actor=tree.reporter_a)
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED
    assert activity.return_reason == ""


def test_reporter_cannot_approve_their_own_activity(make_activity, tree):
    activity = make_activity(status="submitted")
    with pytest.raises(Forbidden):
        services.approve_activity(activity, actor=tree.reporter_a)


def test_reviewer_of_the_unit_itself_is_not_its_parent(make_activity, tree):
    from kepu.organisations.services import grant_role

    grant_role(tree.unit_a, user=tree.reporter_b, role="reviewer")
    activity = make_activity(status="submitted")
    with pytest.raises(Forbidden):
        services.approve_activity(activity, actor=tree.reporter_b)


def test_sibling_unit_reporter_cannot_touch_unit_a_activity(make_activity, tree):
    activity = make_activity(status="draft")
    with pytest.raises(Forbidden):
        services.submit_activity(activity, actor=tree.reporter_b)
    with pytest.raises(Forbidden):
        services.update_activity(activity, actor=tree.reporter_b, title="改掉")
    activity.refresh_from_db()
    assert activity.title != "改掉"


def test_publishing_a_submitted_activity_is_an_invalid_transition(make_activity, tree):
    activity = make_activity(status="submitted")
    with pytest.raises(DomainError) as err:
        services.publish_activity(activity, actor=tree.reviewer)
    assert err.value.code == "invalid_transition"


def test_staff_edit_is_audited_with_before_and_after(make_activity, tree):
    activity = make_activity(status="published")
    services.update_activity(activity, actor=tree.reviewer, venue="新会场")
    entry = AuditEntry.objects.get(action="activities.activity.edited")
    assert entry.actor == tree.reviewer
    assert entry.after == {"venue": "新会场"}
    assert entry.before == {"venue": "沙坡头区第十一小学报告厅"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": timezone.now()}, "ends_at"),
        ({"venue": ""}, "venue"),
        ({"format": "online", "online_url": ""}, "online_url"),
        ({"title": "长" * 201}, "title"),
    ],
)
def test_invalid_activity_is_refused_with_a_field_message(tree, campaign, overrides, field):
    from conftest import activity_fields

    before = Activity.objects.count()
    with pytest.raises(DomainError) as err:
        services.create_activity(
            actor=tree.reporter_a,
            organisation=tree.unit_a,
            campaign=campaign,
            **activity_fields(**overrides),
        )
    assert err.value.code == "invalid"
    assert field in err.value.fields
    assert Activity.objects.count() == before


def test_an_organisation_outside_the_campaign_cannot_report_to_it(tree):
    from conftest import activity_fields
    from kepu.organisations.services import add_organisation

    other_city = add_organisation(
        parent=tree.province, name="石嘴山市科协", kind="association", level="city"
    )
    from kepu.organisations.services import grant_role

    grant_role(other_city, user=tree.reporter_b, role="reporter")
    campaign = campaign_services.create_campaign(
        actor=tree.admin,
        organiser=tree.county,
        title="县科普日",
        slug="county-day",
        starts_on=timezone.now().date(),
        ends_on=timezone.now().date(),
    )
    with pytest.raises(DomainError) as err:
        services.create_activity(
            actor=tree.reporter_b, organisation=other_city, campaign=campaign, **activity_fields()
        )
    assert err.value.code == "not_participating"


def test_activity_in_child_campaign_counts_for_every_ancestor(tree, campaign, make_activity):
    child = campaign_services.create_campaign(
        actor=tree.coordinator,
        organiser=tree.county,
        parent=campaign,
        title="沙坡头区科普日",
        slug="spt-day",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    assert child.effective_theme == campaign.theme
    activity = make_activity(campaign=child)
    assert activity in Activity.objects.in_campaign_tree(campaign)
    assert activity in Activity.objects.in_campaign_tree(child)
    sibling = campaign_services.create_campaign(
        actor=tree.coordinator,
        organiser=tree.county,
        parent=campaign,
        title="另一子活动",
        slug="other-child",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    assert activity not in Activity.objects.in_campaign_tree(sibling)


def test_child_campaign_inherits_joint_actions(tree, campaign):
    child = campaign_services.create_campaign(
        actor=tree.coordinator,
        organiser=tree.county,
        parent=campaign,
        title="沙坡头区科普日",
        slug="spt-day",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    campaign_services.add_joint_action(
        child, actor=tree.coordinator, title="区级行动", lead_unit=tree.unit_a
    )
    titles = [a.title for a in campaign_services.joint_actions_for(child)]
    assert titles == ["水利科普联合行动", "区级行动"]


def test_child_campaign_outside_the_parent_organiser_is_refused(tree, campaign):
    from kepu.organisations.services import add_organisation

    other = add_organisation(
        parent=tree.province, name="银川市科协", kind="association", level="city"
    )
    from kepu.organisations.services import grant_role

    grant_role(other, user=tree.reporter_b, role="admin")
    with pytest.raises(DomainError) as err:
        campaign_services.create_campaign(
            actor=tree.reporter_b,
            organiser=other,
            parent=campaign,
            title="越界",
            slug="x",
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
        )
    assert err.value.code == "child_outside_parent"
