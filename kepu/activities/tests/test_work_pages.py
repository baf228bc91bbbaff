"""The staff workbench for activities: roles, scoping, forms, workflow, sign-ups, check-in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kepu.accounts.models import User
from kepu.activities import services
from kepu.activities.models import Activity, CheckIn, Feedback, Registration
from kepu.core.models import AuditEntry

Status = Activity.Status


def url(name, *args, query=""):
    with translation.override("en"):
        path = reverse(f"activities:{name}", args=args)
    return f"{path}?{query}" if query else path


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def form_data(campaign, organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "campaign": campaign.pk,
        "title": "节约用水科普讲座",
        "description": "水资源保护知识。",
        "kind": "lecture",
        "format": "onsite",
        "venue": "沙坡头区水务局会议室",
        "starts_at": "2031-05-20T09:30",
        "ends_at": "2031-05-20T11:00",
        "capacity": "30",
        "signup_required": "on",
        "contact_name": "王工",
        "contact_phone": "13912345678",
    }
    data.update(overrides)
    return data


# --- Access -----------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_and_back(client, tree):
    response = client.get(url("work-home"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "next=" in response["Location"]


def test_a_member_of_the_public_gets_a_clean_403_on_the_workbench(as_user, tree):
    response = as_user(tree.public).get(url("work-home"))
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    assert as_user(tree.public).get(url("work-activity-list")).status_code == 403


def test_workbench_home_shows_roles_and_counts(as_user, tree, make_activity):
    make_activity(status="draft")
    make_activity(status="submitted")
    page = as_user(tree.reviewer).get(url("work-home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert tree.county.name in html
    assert "Awaiting my review" in html
    assert page.context["counts"]["awaiting_review"] == 1
    assert page.context["counts"]["drafts"] == 1


def test_workbench_home_leads_quiz_organisers_to_their_quizzes_and_bank(as_user, tree, campaign):
    admin = as_user(tree.admin).get(url("work-home")).content.decode()
    assert f"/en/work/campaigns/{campaign.pk}/quizzes/" in admin
    assert "/en/work/quizzes/questions/" in admin
    reporter = as_user(tree.reporter_a).get(url("work-home")).content.decode()
    assert "/en/work/quizzes/questions/" not in reporter  # no quizzes.manage


def test_sibling_unit_staff_get_404_on_every_page_of_unit_a_activity(as_user, published, tree):
    client = as_user(tree.reporter_b)
    for name in (
        "work-activity-detail",
        "work-activity-edit",
        "work-registration-list",
        "work-checkin",
        "work-checkin-code",
    ):
        assert client.get(url(name, published.pk)).status_code == 404, name
    response = client.post(url("work-activity-transition", published.pk, "cancel"), {"reason": "x"})
    assert response.status_code == 404
    assert client.post(url("work-capacity", published.pk), {"capacity": "5"}).status_code == 404
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED


def test_activity_list_shows_only_my_organisations_with_filters(as_user, tree, make_activity):
    mine = make_activity(status="draft", title="第十一小学讲座")
    other = make_activity(status="draft", organisation=tree.unit_b, title="水务局讲座")
    page = as_user(tree.reporter_a).get(url("work-activity-list"))
    assert list(page.context["page"].object_list) == [mine]
    assert "水务局讲座" not in page.content.decode()
    county = as_user(tree.reviewer).get(url("work-activity-list", query="q=水务局"))
    assert list(county.context["page"].object_list) == [other]
    bad = as_user(tree.reviewer).get(url("work-activity-list", query="status=nonsense&page=x"))
    assert bad.status_code == 200


def test_late_submissions_carry_a_badge_in_the_list(as_user, tree, make_activity):
    activity = make_activity(status="submitted")
    Activity.objects.filter(pk=activity.pk).update(is_late=True)
    html = as_user(tree.reviewer).get(url("work-activity-list")).content.decode()
    assert "badge-late" in html


# --- Create and edit --------------------------------------------------------------------------


def test_reporter_creates_a_draft_with_times_in_the_campaign_zone(as_user, tree, campaign):
    client = as_user(tree.reporter_a)
    assert client.get(url("work-activity-create")).status_code == 200
    response = client.post(url("work-activity-create"), form_data(campaign, tree.unit_a))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("work-activity-detail", activity.pk)
    assert activity.status == Status.DRAFT
    assert activity.organisation == tree.unit_a
    # 09:30 in Asia/Shanghai is 01:30 UTC.
    assert activity.starts_at == dt.datetime(2031, 5, 20, 1, 30, tzinfo=dt.UTC)


def test_reporter_cannot_choose_a_sibling_organisation(as_user, tree, campaign):
    response = as_user(tree.reporter_a).post(
        url("work-activity-create"), form_data(campaign, tree.unit_b)
    )
    assert response.status_code == 400
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "2031-05-20T08:00"}, "ends_at", "The end must be after the start."),
        ({"title": "长" * 300}, "title", "at most 200 characters"),
        ({"format": "online", "online_url": ""}, "online_url", "An online activity needs a link."),
        ({"starts_at": "not a date"}, "starts_at", "Enter a valid date/time."),
    ],
)
def test_invalid_activity_form_redisplays_the_input_and_creates_nothing(
    as_user, tree, campaign, overrides, field, message
):
    data = form_data(campaign, tree.unit_a, **overrides)
    response = as_user(tree.reporter_a).post(url("work-activity-create"), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert message.replace("/", "&#x2F;") in html or message in html
    assert "沙坡头区水务局会议室" in html  # nothing the person typed is lost
    assert not Activity.objects.exists()


def test_script_in_a_title_is_shown_escaped(as_user, tree, campaign, make_activity):
    title = "<script>alert(1)</script>讲座"
    client = as_user(tree.reporter_a)
    response = client.post(
        url("work-activity-create"), form_data(campaign, tree.unit_a, title=title, ends_at="bad")
    )
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    activity = make_activity(status="draft", title=title)
    detail = client.get(url("work-activity-detail", activity.pk)).content.decode()
    assert "<script>alert(1)</script>" not in detail
    assert "&lt;script&gt;" in detail


def test_a_service_refusal_is_shown_on_the_form(as_user, tree, campaign):
    campaign.participation = "invited"
    campaign.save()
    response = as_user(tree.reporter_a).post(
        url("work-activity-create"), form_data(campaign, tree.unit_a)
    )
    assert response.status_code == 400
    assert "does not take part in this campaign" in response.content.decode()
    assert not Activity.objects.exists()


def test_editing_keeps_the_local_times_and_writes_an_audit_entry(as_user, tree, make_activity):
    activity = make_activity(status="draft")
    client = as_user(tree.reporter_a)
    page = client.get(url("work-activity-edit", activity.pk))
    local = timezone.localtime(activity.starts_at, activity.tz).strftime("%Y-%m-%dT%H:%M")
    assert local in page.content.decode()
    data = {
        k: v
        for k, v in form_data(activity.campaign, tree.unit_a).items()
        if k not in ("organisation", "campaign")
    }
    data["title"] = "改过的标题"
    response = client.post(url("work-activity-edit", activity.pk), data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "改过的标题"
    entry = AuditEntry.objects.get(action="activities.activity.edited", object_id=str(activity.pk))
    assert entry.after["title"] == "改过的标题"


# --- Workflow ---------------------------------------------------------------------------------


def test_submit_approve_publish_through_the_pages_writes_audit_entries(
    as_user, tree, make_activity, client
):
    activity = make_activity(status="draft")
    client.force_login(tree.reporter_a)
    detail = client.get(url("work-activity-detail", activity.pk))
    assert "Submit for review" in detail.content.decode()
    response = client.post(url("work-activity-transition", activity.pk, "submit"), follow=True)
    assert "Submitted for review." in response.content.decode()
    client.force_login(tree.reviewer)
    queue = client.get(url("work-review-queue"))
    assert activity in queue.context["page"].object_list
    client.post(url("work-activity-transition", activity.pk, "approve"))
    client.post(url("work-activity-transition", activity.pk, "publish"))
    activity.refresh_from_db()
    assert activity.status == Status.PUBLISHED
    actions = list(
        AuditEntry.objects.filter(object_id=str(activity.pk), object_type="activities.activity")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "activities.activity.submitted",
        "activities.activity.approved",
        "activities.activity.published",
    ]
    history = client.get(url("work-activity-detail", activity.pk)).content.decode()
    assert "activities.activity.approved" in history


def test_returning_needs_a_reason_and_the_reason_is_shown(as_user, tree, make_activity):
    activity = make_activity(status="submitted")
    client = as_user(tree.reviewer)
    empty = client.post(url("work-activity-transition", activity.pk, "return"), {"reason": " "})
    assert empty.status_code == 400
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED
    client.post(
        url("work-activity-transition", activity.pk, "return"), {"reason": "请补充活动地点"}
    )
    activity.refresh_from_db()
    assert activity.status == Status.RETURNED
    page = as_user(tree.reporter_a).get(url("work-activity-detail", activity.pk))
    assert "请补充活动地点" in page.content.decode()


def test_a_refused_transition_shows_the_message_and_changes_nothing(as_user, tree, make_activity):
    activity = make_activity(status="draft")
    response = as_user(tree.reporter_a).post(
        url("work-activity-transition", activity.pk, "approve"), follow=True
    )
    assert "Only the parent organisation" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == Status.DRAFT


def test_unknown_transition_is_404_and_get_is_refused(as_user, tree, make_activity):
    activity = make_activity(status="draft")
    client = as_user(tree.reporter_a)
    assert client.post(url("work-activity-transition", activity.pk, "explode")).status_code == 404
    assert client.get(url("work-activity-transition", activity.pk, "submit")).status_code == 405


def test_reporter_does_not_get_the_review_queue(as_user, tree):
    assert as_user(tree.reporter_a).get(url("work-review-queue")).status_code == 403


# --- Capacity, sign-ups, check-in -------------------------------------------------------------


def _sign_up(activity, phone, name):
    user = User.objects.create_user(phone=phone, name=name, password="x-Passw0rd-long")
    return services.register_for_activity(
        activity.pk, user=user, name=name, phone=phone, consent=True
    )


def test_raising_capacity_tells_who_was_promoted(as_user, tree, make_activity):
    activity = make_activity(capacity=1)
    _sign_up(activity, "13811112222", "第一位")
    waiting = _sign_up(activity, "13833334444", "第二位")
    response = as_user(tree.reporter_a).post(
        url("work-capacity", activity.pk), {"capacity": "2"}, follow=True
    )
    html = response.content.decode()
    assert "第二位" in html
    assert "138****4444" in html
    assert "13833334444" not in html
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


def test_capacity_below_confirmed_is_refused_with_a_message(as_user, tree, make_activity):
    activity = make_activity(capacity=5)
    _sign_up(activity, "13811112222", "第一位")
    _sign_up(activity, "13833334444", "第二位")
    response = as_user(tree.reporter_a).post(url("work-capacity", activity.pk), {"capacity": "1"})
    assert response.status_code == 400
    assert "already confirmed" in response.content.decode()
    activity.refresh_from_db()
    assert activity.capacity == 5


def test_registration_list_masks_phones_and_orders_the_waiting_list(as_user, tree, make_activity):
    activity = make_activity(capacity=1)
    _sign_up(activity, "13811112222", "第一位")
    _sign_up(activity, "13833334444", "第二位")
    page = as_user(tree.reviewer).get(url("work-registration-list", activity.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "138****2222" in html and "138****4444" in html
    assert "13811112222" not in html and "13833334444" not in html
    assert html.index("第一位") < html.index("第二位")
    assert "no. 1 in line" in html
    assert page.context["counts"]["waitlisted"] == 1


def test_checking_in_the_same_ticket_twice_says_already_checked_in(as_user, tree, published):
    ticket = _sign_up(published, "13855556666", "参加者")
    client = as_user(tree.reporter_a)
    first = client.post(
        url("work-checkin", published.pk), {"code": ticket.ticket_code}, follow=True
    )
    assert "Checked in: 参加者 (138****6666)" in first.content.decode()
    second = client.post(
        url("work-checkin", published.pk), {"code": ticket.ticket_code.lower()}, follow=True
    )
    html = second.content.decode()
    assert "Already checked in at" in html
    assert "13855556666" not in html
    assert CheckIn.objects.count() == 1
    assert second.context["counts"]["total"] == 1


def test_check_in_explains_unknown_codes_and_tickets_of_another_activity(
    as_user, tree, make_activity
):
    here = make_activity()
    elsewhere = make_activity(title="另一场")
    ticket = _sign_up(elsewhere, "13855556666", "参加者")
    client = as_user(tree.reporter_a)
    unknown = client.post(url("work-checkin", here.pk), {"code": "ZZZZZZZZZZ"}, follow=True)
    assert "Unknown ticket code" in unknown.content.decode()
    wrong = client.post(url("work-checkin", here.pk), {"code": ticket.ticket_code}, follow=True)
    assert "for another activity" in wrong.content.decode()
    assert not CheckIn.objects.exists()


def test_check_in_code_page_shows_the_code_a_qr_and_refreshes(as_user, tree, published):
    page = as_user(tree.reporter_a).get(url("work-checkin-code", published.pk))
    html = page.content.decode()
    assert services.rotating_code(published) in html or page.context["code"] in html
    assert 'http-equiv="refresh"' in html
    assert "<svg" in html
    assert "<script>" not in html.split("</head>")[1]


def test_moderator_hides_and_shows_feedback(as_user, tree, make_activity):
    activity = make_activity()
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    feedback = Feedback.objects.create(
        activity=activity, user=tree.public, rating=1, comment="广告内容"
    )
    assert (
        as_user(tree.reporter_a)
        .post(url("work-feedback-hide", feedback.pk), {"hidden": "1"})
        .status_code
        == 403
    )
    client = as_user(tree.reviewer)
    client.post(url("work-feedback-hide", feedback.pk), {"hidden": "1"})
    feedback.refresh_from_db()
    assert feedback.hidden_at is not None
    assert AuditEntry.objects.filter(action="activities.feedback.hidden").exists()
    client.post(url("work-feedback-hide", feedback.pk), {"hidden": "0"})
    feedback.refresh_from_db()
    assert feedback.hidden_at is None


def test_activity_list_and_registration_list_do_not_query_per_row(as_user, tree, make_activity):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(tree.reviewer)
    activity = make_activity()
    _sign_up(activity, "13811112222", "第一位")

    def count(name, *args):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(name, *args)).status_code == 200
        return len(ctx.captured_queries)

    few_activities, few_signups = (
        count("work-activity-list"),
        count("work-registration-list", activity.pk),
    )
    for _ in range(3):
        make_activity(status="draft")
    for i in range(3):
        _sign_up(activity, f"1381111333{i}", f"第{i}位")
    assert count("work-activity-list") == few_activities
    assert count("work-registration-list", activity.pk) == few_signups
