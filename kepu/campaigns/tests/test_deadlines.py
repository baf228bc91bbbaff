import datetime as dt

import pytest
from django.utils import timezone, translation

from kepu.activities import services
from kepu.activities.models import Activity
from kepu.campaigns import services as campaign_services
from kepu.campaigns.models import Campaign
from kepu.core.errors import DomainError


@pytest.fixture
def past_deadline(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(
        register_by=timezone.now() - dt.timedelta(hours=1)
    )
    campaign.refresh_from_db()
    return campaign


def test_submission_after_the_deadline_is_refused_with_a_clear_message(
    make_activity, past_deadline, tree
):
    activity = make_activity(status="draft")
    with translation.override("en"), pytest.raises(DomainError) as err:
        services.submit_activity(activity, actor=tree.reporter_a)
    assert err.value.code == "deadline_passed"
    assert "reopen" in err.value.message
    activity.refresh_from_db()
    assert activity.status == Activity.Status.DRAFT


def test_reopened_phase_accepts_the_submission_and_marks_it_late(
    make_activity, past_deadline, tree
):
    activity = make_activity(status="draft")
    campaign_services.reopen_phase(
        past_deadline,
        actor=tree.admin,
        phase="registration",
        until=timezone.now() + dt.timedelta(days=1),
    )
    services.submit_activity(activity, actor=tree.reporter_a)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SUBMITTED
    assert activity.is_late is True


def test_reopening_for_one_unit_does_not_reopen_for_its_sibling(make_activity, past_deadline, tree):
    campaign_services.reopen_phase(
        past_deadline,
        actor=tree.admin,
        phase="registration",
        until=timezone.now() + dt.timedelta(days=1),
        organisation=tree.unit_a,
    )
    mine = make_activity(status="draft")
    theirs = make_activity(status="draft", organisation=tree.unit_b)
    services.submit_activity(mine, actor=tree.reporter_a)
    with pytest.raises(DomainError) as err:
        services.submit_activity(theirs, actor=tree.reporter_b)
    assert err.value.code == "deadline_passed"


def test_an_expired_reopening_no_longer_counts(make_activity, past_deadline, tree):
    activity = make_activity(status="draft")
    reopening = campaign_services.reopen_phase(
        past_deadline,
        actor=tree.admin,
        phase="registration",
        until=timezone.now() + dt.timedelta(minutes=5),
    )
    later = reopening.until + dt.timedelta(seconds=1)
    with pytest.raises(DomainError):
        services.submit_activity(activity, actor=tree.reporter_a, now=later)


def test_a_child_campaign_without_its_own_deadline_uses_the_parent_deadline(past_deadline, tree):
    child = campaign_services.create_campaign(
        actor=tree.coordinator,
        organiser=tree.county,
        parent=past_deadline,
        title="区科普日",
        slug="child",
        starts_on=past_deadline.starts_on,
        ends_on=past_deadline.ends_on,
    )
    with pytest.raises(DomainError):
        campaign_services.check_phase_open(child, "registration", organisation=tree.unit_a)


def test_only_the_organiser_can_reopen(past_deadline, tree):
    from kepu.core.errors import Forbidden

    with pytest.raises(Forbidden):
        campaign_services.reopen_phase(
            past_deadline,
            actor=tree.reporter_a,
            phase="registration",
            until=timezone.now() + dt.timedelta(days=1),
        )


def test_unknown_time_zone_is_refused(tree):
    with translation.override("en"), pytest.raises(DomainError) as err:
        campaign_services.create_campaign(
            actor=tree.admin,
            organiser=tree.city,
            title="t",
            slug="tz",
            time_zone="Mars/Olympus",
            starts_on=dt.date(2026, 9, 13),
            ends_on=dt.date(2026, 9, 17),
        )
    assert err.value.code == "invalid"
    assert "time zone" in err.value.message.lower()
    assert "time_zone" in err.value.fields
    assert not Campaign.objects.filter(slug="tz").exists()


def test_campaign_ending_before_it_starts_is_refused(tree):
    with pytest.raises(DomainError) as err:
        campaign_services.create_campaign(
            actor=tree.admin,
            organiser=tree.city,
            title="t",
            slug="backwards",
            starts_on=dt.date(2026, 9, 17),
            ends_on=dt.date(2026, 9, 13),
        )
    assert err.value.code == "invalid"
    assert not Campaign.objects.filter(slug="backwards").exists()
