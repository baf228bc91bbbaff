"""Reminders before the results and summary deadlines: once, only to units that are behind."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from kepu.accounts.models import Notification
from kepu.activities.models import Activity
from kepu.campaigns.models import Phase
from kepu.reports import services
from kepu.reports.models import ReminderSent
from kepu.reports.reminders import send_due_reminders
from kepu.results.models import Outcome


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def go(now):
        with django_capture_on_commit_callbacks(execute=True):
            return send_due_reminders(now=now)

    return go


def test_nothing_is_sent_long_before_the_deadline(tree, campaign, run):
    assert run(campaign.summary_by - dt.timedelta(days=10)) == 0
    assert not ReminderSent.objects.exists()
    assert mail.outbox == []


def test_summary_reminder_goes_once_to_units_that_have_not_submitted(tree, campaign, run, settings):
    settings.KEPU_REMINDER_DAYS = [3, 1]
    summary = services.start_summary(campaign, organisation=tree.unit_a, actor=tree.reporter_a)
    services.save_summary(summary, actor=tree.reporter_a, text="总结")
    services.submit_summary(summary, actor=tree.reporter_a)

    three_days = campaign.summary_by - dt.timedelta(days=2, hours=23)
    assert run(three_days) == 1
    notice = Notification.objects.get()
    assert notice.user == tree.reporter_b
    assert "summary report" in notice.message or "总结" in notice.message
    assert [m.to for m in mail.outbox] == [["reporter.b@example.com"]]
    sent = ReminderSent.objects.get()
    assert (sent.organisation, sent.phase, sent.days_before) == (tree.unit_b, "summary", 3)

    # A rerun an hour later sends nothing more.
    assert run(three_days + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1

    # The one-day reminder goes out once as well.
    one_day = campaign.summary_by - dt.timedelta(hours=20)
    assert run(one_day) == 1
    assert run(one_day) == 0
    assert len(mail.outbox) == 2
    assert not Notification.objects.filter(user=tree.reporter_a).exists()


def test_no_reminder_after_the_deadline(tree, campaign, run):
    assert run(campaign.summary_by + dt.timedelta(hours=1)) == 0


def test_results_reminder_only_for_units_with_finished_activities_without_results(
    tree, campaign, make_activity, run
):
    done_a = make_activity()
    done_b = make_activity(organisation=tree.unit_b)
    Activity.objects.filter(pk__in=[done_a.pk, done_b.pk]).update(status="finished")
    Outcome.objects.create(activity=done_b, participants_onsite=30)
    now = campaign.results_by - dt.timedelta(days=1, hours=-1)
    assert run(now) == 1
    sent = ReminderSent.objects.get(phase=Phase.RESULTS)
    assert sent.organisation == tree.unit_a
    assert Notification.objects.get(user=tree.reporter_a).url.endswith("/work/activities/")
    assert run(now) == 0


def test_the_management_command_sends_due_reminders(
    tree, campaign, settings, django_capture_on_commit_callbacks, capsys, monkeypatch
):
    from django.utils import timezone

    moment = campaign.summary_by - dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    assert "2 reminder notice(s) sent." in capsys.readouterr().out
    assert {m.to[0] for m in mail.outbox} == {"reporter.a@example.com", "reporter.b@example.com"}


def test_the_celery_task_runs_in_process(tree, campaign, django_capture_on_commit_callbacks):
    from kepu.reports.tasks import send_reminders

    assert send_reminders.delay().get() == 0


def test_beat_schedule_runs_the_task_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-send-reminders"]
    assert entry["task"] == "kepu.reports.tasks.send_reminders"
    assert entry["schedule"] == 3600.0


def test_a_child_campaign_without_its_own_deadline_reminds_by_its_parents(
    tree, campaign, run, settings
):
    from kepu.campaigns.services import create_campaign
    from kepu.reports.models import Summary

    settings.KEPU_REMINDER_DAYS = [3]
    child = create_campaign(
        actor=tree.coordinator,
        organiser=tree.county,
        parent=campaign,
        title="沙坡头区科普日",
        slug="child-science-day",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    assert child.summary_by is None and child.effective_summary_by == campaign.summary_by
    # Unit A has submitted the parent campaign's summary, not the child's.
    parent_summary = services.start_summary(
        campaign, organisation=tree.unit_a, actor=tree.reporter_a
    )
    services.save_summary(parent_summary, actor=tree.reporter_a, text="总结")
    services.submit_summary(parent_summary, actor=tree.reporter_a)
    run(campaign.summary_by - dt.timedelta(days=2))
    reminded = set(
        ReminderSent.objects.filter(phase="summary").values_list("campaign__slug", "organisation")
    )
    assert ("child-science-day", tree.unit_a.pk) in reminded
    assert (campaign.slug, tree.unit_a.pk) not in reminded
    assert not Summary.objects.filter(campaign=child).exists()
