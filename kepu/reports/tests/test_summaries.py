"""Summaries: the statistics table, corrections, submission against the deadline, review."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kepu.accounts.models import Notification
from kepu.activities.models import Activity, CheckIn, Feedback
from kepu.campaigns.models import Phase
from kepu.campaigns.services import reopen_phase
from kepu.core.errors import Conflict, DomainError, Forbidden
from kepu.core.models import AuditEntry
from kepu.reports import selectors, services
from kepu.reports.models import Summary
from kepu.results.models import Outcome, ResultItem

Status = Summary.Status


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def summary(tree, campaign):
    return services.start_summary(campaign, organisation=tree.unit_a, actor=tree.reporter_a)


@pytest.fixture
def written(summary, tree):
    return services.save_summary(summary, actor=tree.reporter_a, text="本单位开展科普讲座三场。")


def test_statistics_table_counts_the_units_own_activities_in_a_few_queries(
    tree, campaign, make_activity
):
    lecture = make_activity(kind="lecture", format="onsite", is_key=True)
    online = make_activity(
        kind="live_stream", format="online", venue="", online_url="https://live.example.com/1"
    )
    make_activity(status="draft", kind="exhibition")  # drafts do not count
    make_activity(organisation=tree.unit_b, kind="training")  # another unit's
    Activity.objects.filter(pk=lecture.pk).update(confirmed_count=12)
    CheckIn.objects.create(activity=lecture, method="walk_in", name="甲")
    CheckIn.objects.create(activity=lecture, method="walk_in", name="乙")
    Outcome.objects.create(activity=lecture, participants_onsite=40, participants_online=5)
    Outcome.objects.create(activity=online, participants_online=300, online_views=1200)
    Feedback.objects.create(activity=lecture, user=tree.public, rating=5)
    Feedback.objects.create(activity=online, user=tree.public, rating=4)
    ResultItem.objects.create(activity=lecture, kind="link", url="https://news.example.com/a")
    with CaptureQueriesContext(connection) as queries:
        table = selectors.statistics_table(campaign, tree.unit_a)
    assert len(queries) <= 5
    assert table["activities"] == 2
    assert table["kind_lecture"] == 1 and table["kind_live_stream"] == 1
    assert table["kind_exhibition"] == 0 and table["kind_training"] == 0
    assert table["format_onsite"] == 1 and table["format_online"] == 1
    assert table["key_activities"] == 1
    assert table["signups"] == 12
    assert table["checkins"] == 2
    assert table["participants_onsite"] == 40 and table["participants_online"] == 305
    assert table["online_views"] == 1200
    assert table["rating"] == 4.5 and table["ratings"] == 2
    assert table["publicity_links"] == 1


def test_statistics_table_includes_child_campaigns(tree, campaign, make_activity):
    from kepu.campaigns.services import create_campaign

    child = create_campaign(
        actor=tree.admin,
        organiser=tree.county,
        parent=campaign,
        title="沙坡头区科普日",
        slug="shapotou-science-day",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
    )
    make_activity()
    make_activity(campaign=child)
    assert selectors.statistics_table(campaign, tree.unit_a)["activities"] == 2
    assert selectors.statistics_table(child, tree.unit_a)["activities"] == 1


def test_starting_a_summary_twice_gives_the_same_draft(tree, campaign, summary):
    again = services.start_summary(campaign, organisation=tree.unit_a, actor=tree.admin)
    assert again.pk == summary.pk and again.status == Status.DRAFT
    assert AuditEntry.objects.filter(action="reports.summary.created").count() == 1


def test_unit_b_staff_cannot_start_or_edit_unit_as_summary(tree, campaign, summary):
    with pytest.raises(Forbidden):
        services.start_summary(campaign, organisation=tree.unit_a, actor=tree.reporter_b)
    with pytest.raises(Forbidden):
        services.save_summary(summary, actor=tree.reporter_b, text="篡改")
    summary.refresh_from_db()
    assert summary.text == ""


def test_a_correction_needs_a_reason_and_changes_nothing_without_one(written, tree):
    with pytest.raises(DomainError) as err:
        services.correct_row(written, actor=tree.reporter_a, key="activities", value=5, reason="")
    assert err.value.code == "reason_required"
    assert "reason is required" in err.value.message
    written.refresh_from_db()
    assert written.corrections == {}


def test_a_correction_with_a_reason_shows_beside_the_computed_value(written, tree):
    services.correct_row(
        written, actor=tree.reporter_a, key="participants_onsite", value=80, reason="线下签到表"
    )
    written.refresh_from_db()
    assert written.corrections == {"participants_onsite": {"value": 80, "reason": "线下签到表"}}
    rows = selectors.table_with_corrections(written)
    row = next(r for r in rows if r["key"] == "participants_onsite")
    assert (row["computed"], row["value"], row["reason"]) == (0, 80, "线下签到表")
    assert AuditEntry.objects.filter(action="reports.summary.corrected").exists()
    services.correct_row(written, actor=tree.reporter_a, key="participants_onsite", value=None)
    written.refresh_from_db()
    assert written.corrections == {}


def test_unknown_rows_and_impossible_figures_are_refused(written, tree):
    with pytest.raises(DomainError) as err:
        services.correct_row(written, actor=tree.reporter_a, key="salary", value=1, reason="x")
    assert err.value.code == "unknown_row"
    with pytest.raises(DomainError) as err:
        services.correct_row(written, actor=tree.reporter_a, key="rating", value=7, reason="x")
    assert err.value.code == "invalid_value"


def test_submitting_before_the_deadline_freezes_the_table_and_is_not_late(
    written, tree, make_activity
):
    make_activity()
    services.correct_row(written, actor=tree.reporter_a, key="checkins", value=9, reason="纸质签到")
    services.submit_summary(written, actor=tree.reporter_a)
    written.refresh_from_db()
    assert written.status == Status.SUBMITTED and not written.is_late
    assert written.submitted_at is not None
    assert written.table["activities"] == {"computed": 1, "value": 1, "reason": ""}
    assert written.table["checkins"] == {"computed": 0, "value": 9, "reason": "纸质签到"}
    # New activities after submission do not change the submitted table.
    make_activity()
    assert selectors.table_with_corrections(written)[0]["value"] == 1
    with pytest.raises(Conflict):
        services.save_summary(written, actor=tree.reporter_a, text="改")


def test_an_empty_summary_cannot_be_submitted(summary, tree):
    with pytest.raises(DomainError) as err:
        services.submit_summary(summary, actor=tree.reporter_a)
    assert err.value.code == "empty"
    summary.refresh_from_db()
    assert summary.status == Status.DRAFT


def test_submitting_after_the_deadline_is_refused(written, tree, campaign):
    later = campaign.summary_by + dt.timedelta(hours=1)
    with pytest.raises(DomainError) as err:
        services.submit_summary(written, actor=tree.reporter_a, now=later)
    assert err.value.code == "deadline_passed"
    assert "Ask the organiser to reopen it" in err.value.message
    written.refresh_from_db()
    assert written.status == Status.DRAFT and written.submitted_at is None


def test_a_reopened_deadline_accepts_the_summary_marked_late(written, tree, campaign):
    later = campaign.summary_by + dt.timedelta(hours=1)
    reopen_phase(
        campaign,
        actor=tree.admin,
        phase=Phase.SUMMARY,
        until=later + dt.timedelta(days=2),
        organisation=tree.unit_a,
    )
    services.submit_summary(written, actor=tree.reporter_a, now=later)
    written.refresh_from_db()
    assert written.status == Status.SUBMITTED and written.is_late


def test_return_edit_resubmit_accept(written, tree, django_capture_on_commit_callbacks):
    services.submit_summary(written, actor=tree.reporter_a)
    with pytest.raises(DomainError) as err:
        services.return_summary(written, actor=tree.admin, comment=" ")
    assert err.value.code == "comment_required"
    with django_capture_on_commit_callbacks(execute=True):
        services.return_summary(written, actor=tree.admin, comment="请补充活动照片和宣传报道。")
    written.refresh_from_db()
    assert written.status == Status.RETURNED
    assert written.review_comment == "请补充活动照片和宣传报道。"
    notice = Notification.objects.get(user=tree.reporter_a)
    assert "returned for revision" in notice.message or "退回" in notice.message
    assert any("reporter.a@example.com" in m.to for m in mail.outbox)
    assert not Notification.objects.filter(user=tree.reporter_b).exists()

    services.save_summary(written, actor=tree.reporter_a, text="补充了照片。")
    services.submit_summary(written, actor=tree.reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_summary(written, actor=tree.admin)
    written.refresh_from_db()
    assert written.status == Status.ACCEPTED and written.reviewed_by == tree.admin
    actions = list(
        AuditEntry.objects.filter(object_id=str(written.pk), action__startswith="reports.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "reports.summary.saved",
        "reports.summary.submitted",
        "reports.summary.accepted",
    ]


def test_only_the_organiser_side_reviews(written, tree):
    services.submit_summary(written, actor=tree.reporter_a)
    for person in (tree.reporter_a, tree.reviewer):
        with pytest.raises(Forbidden):
            services.accept_summary(written, actor=person)
    written.refresh_from_db()
    assert written.status == Status.SUBMITTED


def test_a_draft_cannot_be_accepted(written, tree):
    with pytest.raises(Conflict) as err:
        services.accept_summary(written, actor=tree.admin)
    assert err.value.code == "not_submitted"


def test_unit_b_cannot_see_unit_as_summary(tree, summary):
    assert summary in Summary.objects.for_user(tree.reporter_a, "reports.submit")
    assert summary not in Summary.objects.for_user(tree.reporter_b, "reports.submit")
    assert summary in Summary.objects.for_user(tree.admin, "reports.review")


def test_overview_lists_every_participating_unit_with_missing_ones(tree, campaign, written):
    services.submit_summary(written, actor=tree.reporter_a)
    rows = selectors.campaign_overview(campaign)
    by_unit = {row["unit"].pk: row["summary"] for row in rows}
    assert by_unit[tree.unit_a.pk].pk == written.pk
    assert by_unit[tree.unit_b.pk] is None
    assert tree.county.pk not in by_unit  # only units are listed


def test_a_unit_not_invited_cannot_start_a_summary(tree, campaign):
    from kepu.campaigns.models import Campaign

    campaign.participation = Campaign.Participation.INVITED
    campaign.save()
    campaign.invited.set([tree.unit_b])
    with pytest.raises(DomainError) as err:
        services.start_summary(campaign, organisation=tree.unit_a, actor=tree.reporter_a)
    assert err.value.code == "not_participating"
    assert not Summary.objects.exists()
    assert [row["unit"] for row in selectors.campaign_overview(campaign)] == [tree.unit_b]
