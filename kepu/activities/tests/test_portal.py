"""The public activity pages: detail, calendar file, sign-up, tickets, check-in, feedback, cache."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from conftest import make_user
from kepu.activities import services
from kepu.activities.models import Activity, CheckIn, Feedback, Registration

S = Registration.Status


@pytest.fixture(autouse=True)
def _empty_page_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache(settings):
    """The anonymous page cache switched on, whatever the test settings default to."""
    settings.KEPU_PUBLIC_CACHE_SECONDS = 15


def url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def detail(activity) -> str:
    return url("activities:activity-detail", activity.pk)


def sign_up_data(**overrides):
    data = {"name": "公众甲", "phone": "13800000001", "consent": "on"}
    data.update(overrides)
    return data


def move(activity, *, starts_in: dt.timedelta, hours: int = 2) -> Activity:
    start = timezone.now() + starts_in
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=hours)
    )
    activity.refresh_from_db()
    return activity


# --- Detail and calendar ----------------------------------------------------------------------


def test_detail_page_has_qr_code_share_meta_calendar_link_and_masked_phone(client, published):
    response = client.get(detail(published))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and 'class="qr' in body
    assert f'<meta property="og:title" content="{published.title}">' in body
    assert 'name="twitter:card"' in body
    assert url("activities:activity-ics", published.pk) in body
    assert "151****8601" in body and "15109558601" not in body
    assert published.venue in body


def test_detail_times_are_shown_in_the_campaign_time_zone(client, published):
    local = timezone.localtime(published.starts_at, published.tz)
    body = client.get(detail(published)).content.decode()
    assert local.isoformat() in body  # <time datetime="…+08:00">


def test_unpublished_and_missing_activities_are_404(client, make_activity):
    draft = make_activity(status="draft")
    for name in ("activities:activity-detail", "activities:activity-ics"):
        assert client.get(url(name, draft.pk)).status_code == 404
        assert client.get(url(name, 999999)).status_code == 404


def test_anonymous_visitor_gets_a_sign_in_link_back_to_the_activity(client, published):
    body = client.get(detail(published)).content.decode()
    assert url("accounts:login") + "?next=" + detail(published) in body
    assert 'action="' + url("activities:registration-create", published.pk) not in body


def test_anonymous_pages_carry_no_csrf_token_and_switch_language_by_links(client, published):
    response = client.get(detail(published))
    body = response.content.decode()
    assert "csrfmiddlewaretoken" not in body
    assert "csrftoken" not in response.cookies
    assert f'href="/vi/activities/{published.pk}/"' in body
    assert url("accounts:elder-mode") + "?on=1&amp;next=" in body


def test_ics_file_has_utc_times_a_uid_and_escaped_text(client, make_activity):
    activity = make_activity(title="讲座; 第一场, 水\\电", description="第一行\n第二行")
    response = client.get(url("activities:activity-ics", activity.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    unfolded = text.replace("\r\n ", "")
    start = activity.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    end = activity.ends_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"\r\nDTSTART:{start}\r\n" in unfolded
    assert f"\r\nDTEND:{end}\r\n" in unfolded
    assert re.search(rf"\r\nUID:activity-{activity.pk}@[\w.-]+\r\n", unfolded)
    assert "SUMMARY:讲座\\; 第一场\\, 水\\\\电\r\n" in unfolded
    assert "第一行\\n第二行" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


# --- Sign-up and tickets ----------------------------------------------------------------------


def test_sign_up_leads_to_the_ticket_page_with_a_qr_code(client, published, tree):
    client.force_login(tree.public)
    response = client.post(url("activities:registration-create", published.pk), sign_up_data())
    registration = Registration.objects.get(activity=published, user=tree.public)
    assert registration.status == S.CONFIRMED
    assert response.status_code == 302
    assert response["Location"] == url("activities:ticket-detail", registration.ticket_code)
    page = client.get(response["Location"]).content.decode()
    assert "You are signed up." in page
    assert "<svg" in page and registration.ticket_code in page
    assert "13800000001" in page  # a person sees their own phone number unmasked


def test_the_sign_up_form_is_prefilled_for_a_signed_in_person(client, published, tree):
    client.force_login(tree.public)
    body = client.get(detail(published)).content.decode()
    assert 'value="公众甲"' in body and 'value="13800000001"' in body
    assert "csrfmiddlewaretoken" in body


def test_a_second_sign_up_gives_a_clear_message(client, published, tree):
    client.force_login(tree.public)
    client.post(url("activities:registration-create", published.pk), sign_up_data())
    response = client.post(url("activities:registration-create", published.pk), sign_up_data())
    assert response.status_code == 200
    assert "You have already signed up for this activity." in response.content.decode()
    assert Registration.objects.filter(activity=published).count() == 1


def test_a_minor_without_guardian_consent_is_refused_and_nothing_is_saved(client, published, tree):
    client.force_login(tree.public)
    response = client.post(
        url("activities:registration-create", published.pk),
        sign_up_data(is_minor="on", guardian_name="家长"),
    )
    assert response.status_code == 200
    assert "need a parent or guardian&#x27;s consent" in response.content.decode()
    assert not Registration.objects.exists()


def test_sign_up_without_consent_is_refused(client, published, tree):
    client.force_login(tree.public)
    data = sign_up_data()
    del data["consent"]
    response = client.post(url("activities:registration-create", published.pk), data)
    assert "Please agree to the use of your data" in response.content.decode()
    assert not Registration.objects.exists()


def test_anonymous_sign_up_is_sent_to_the_login_page(client, published):
    response = client.post(url("activities:registration-create", published.pk), sign_up_data())
    assert response.status_code == 302
    assert response["Location"].startswith(url("accounts:login"))
    assert not Registration.objects.exists()


def test_another_persons_ticket_is_404(client, published, tree):
    registration = services.register_for_activity(
        published.pk, user=tree.public, name="甲", consent=True
    )
    client.force_login(tree.reporter_b)
    assert client.get(url("activities:ticket-detail", registration.ticket_code)).status_code == 404
    response = client.post(url("activities:registration-cancel", registration.ticket_code))
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == S.CONFIRMED


def test_tickets_need_sign_in(client, published, tree):
    registration = services.register_for_activity(
        published.pk, user=tree.public, name="甲", consent=True
    )
    for target in (
        url("activities:ticket-detail", registration.ticket_code),
        url("activities:ticket-list"),
    ):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(url("accounts:login"))


def test_my_tickets_lists_only_my_sign_ups(client, make_activity, tree):
    mine, other = make_activity(title="我的讲座"), make_activity(title="别人的讲座")
    services.register_for_activity(mine.pk, user=tree.public, name="甲", consent=True)
    services.register_for_activity(other.pk, user=tree.reporter_b, name="乙", consent=True)
    client.force_login(tree.public)
    body = client.get(url("activities:ticket-list")).content.decode()
    assert "我的讲座" in body and "别人的讲座" not in body


def test_a_waitlisted_person_sees_their_position_and_can_leave(client, published, tree):
    Activity.objects.filter(pk=published.pk).update(capacity=1)
    services.register_for_activity(
        published.pk, user=make_user("13900000001", "先到"), name="先到", consent=True
    )
    client.force_login(tree.public)
    response = client.post(
        url("activities:registration-create", published.pk), sign_up_data(), follow=True
    )
    body = response.content.decode()
    assert "you are number 1 on the waiting list" in body
    registration = Registration.objects.get(user=tree.public)
    assert registration.status == S.WAITLISTED
    response = client.post(
        url("activities:registration-cancel", registration.ticket_code), follow=True
    )
    assert "You have left the waiting list." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == S.CANCELLED
    published.refresh_from_db()
    assert published.waitlist_count == 0


def test_a_confirmed_person_can_cancel_and_the_next_in_line_is_promoted(client, published, tree):
    Activity.objects.filter(pk=published.pk).update(capacity=1)
    mine = services.register_for_activity(published.pk, user=tree.public, name="甲", consent=True)
    waiting = services.register_for_activity(
        published.pk, user=tree.reporter_b, name="乙", consent=True
    )
    client.force_login(tree.public)
    client.post(url("activities:registration-cancel", mine.ticket_code))
    waiting.refresh_from_db()
    assert waiting.status == S.CONFIRMED


# --- Check-in and feedback --------------------------------------------------------------------


def test_a_walk_in_checks_in_with_the_code_during_the_activity(client, published):
    running = move(published, starts_in=-dt.timedelta(minutes=30))
    body = client.get(detail(running)).content.decode()
    assert url("activities:checkin-self", running.pk) in body
    response = client.post(
        url("activities:checkin-self", running.pk),
        {
            "code": services.rotating_code(running),
            "name": "路人",
            "phone": "13700000000",
        },
        follow=True,
    )
    assert "Checked in at" in response.content.decode()
    checkin = CheckIn.objects.get()
    assert (checkin.method, checkin.phone) == (CheckIn.Method.WALK_IN, "13700000000")


def test_a_wrong_check_in_code_is_refused_with_a_message(client, published):
    running = move(published, starts_in=-dt.timedelta(minutes=30))
    good = services.rotating_code(running)
    wrong = "000000" if good != "000000" else "111111"
    response = client.post(
        url("activities:checkin-self", running.pk),
        {"code": wrong, "name": "路人", "phone": "13700000000"},
    )
    assert response.status_code == 200
    assert "That check-in code is wrong or has expired." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_feedback_is_only_possible_after_attending(client, published, tree):
    ended = move(published, starts_in=-dt.timedelta(hours=3))
    client.force_login(tree.public)
    response = client.post(url("activities:feedback-create", ended.pk), {"rating": "5"})
    assert "Only people who checked in can rate this activity." in response.content.decode()
    assert not Feedback.objects.exists()
    services.self_check_in(
        ended,
        user=tree.public,
        code=services.rotating_code(ended),
        name="公众甲",
        phone="13800000001",
    )
    assert 'name="rating"' in client.get(detail(ended)).content.decode()
    response = client.post(
        url("activities:feedback-create", ended.pk),
        {"rating": "4", "comment": "<b>很好</b>"},
        follow=True,
    )
    body = response.content.decode()
    assert "Thank you for your feedback." in body
    assert "&lt;b&gt;很好&lt;/b&gt;" in body
    assert "Average rating 4.0 of 5 from 1 rating" in body
    assert Feedback.objects.get().rating == 4


def test_feedback_before_the_end_is_refused(client, published, tree):
    running = move(published, starts_in=-dt.timedelta(minutes=10))
    services.self_check_in(
        running,
        user=tree.public,
        code=services.rotating_code(running),
        name="公众甲",
        phone="13800000001",
    )
    client.force_login(tree.public)
    response = client.post(url("activities:feedback-create", running.pk), {"rating": "5"})
    assert "You can rate the activity after it has ended." in response.content.decode()
    assert not Feedback.objects.exists()


def test_hidden_feedback_is_not_shown(client, published, tree):
    ended = move(published, starts_in=-dt.timedelta(hours=3))
    services.self_check_in(
        ended,
        user=tree.public,
        code=services.rotating_code(ended),
        name="公众甲",
        phone="13800000001",
    )
    feedback = services.leave_feedback(ended, user=tree.public, rating=1, comment="广告广告")
    services.hide_feedback(feedback, actor=tree.reviewer)
    body = client.get(detail(ended)).content.decode()
    assert "广告广告" not in body and "No ratings yet." in body


# --- Page cache -------------------------------------------------------------------------------


def test_anonymous_pages_come_from_the_cache_but_signed_in_people_see_their_own(
    client, published, tree, page_cache
):
    first = client.get(detail(published))
    assert first["X-Kepu-Cache"] == "miss"
    Activity.objects.filter(pk=published.pk).update(title="改过的标题")
    second = client.get(detail(published))
    assert second["X-Kepu-Cache"] == "hit"
    assert published.title in second.content.decode()

    services.register_for_activity(published.pk, user=tree.public, name="甲", consent=True)
    client.force_login(tree.public)
    mine = client.get(detail(published))
    body = mine.content.decode()
    assert "X-Kepu-Cache" not in mine
    assert "改过的标题" in body and "You are signed up for this activity." in body


def test_elder_mode_and_language_are_part_of_the_cache_key(client, published, page_cache):
    assert client.get(detail(published))["X-Kepu-Cache"] == "miss"
    client.cookies["kepu_elder"] = "1"
    elder = client.get(detail(published))
    assert elder["X-Kepu-Cache"] == "miss"
    assert '<body class="elder' in elder.content.decode()
    with translation.override("vi"):
        vi_url = reverse("activities:activity-detail", args=[published.pk])
    assert client.get(vi_url)["X-Kepu-Cache"] == "miss"


def test_pages_with_messages_or_forms_are_not_cached(client, published, page_cache):
    running = move(published, starts_in=-dt.timedelta(minutes=5))
    # The walk-in check-in form carries a CSRF token: the page is personal.
    assert client.get(detail(running))["X-Kepu-Cache"] == "skip"
    client.post(
        url("activities:checkin-self", running.pk),
        {"code": services.rotating_code(running), "name": "路人", "phone": "13700000000"},
    )
    with_message = client.get(detail(running))
    assert with_message["X-Kepu-Cache"] == "skip"
    assert "Checked in at" in with_message.content.decode()


def test_accept_language_vi_redirects_the_root_to_vi(client, db):
    response = client.get("/", headers={"accept-language": "vi"})
    assert response.status_code == 302
    assert response["Location"] == "/vi/"
    assert client.get("/vi/").status_code == 200


def test_the_page_cache_never_stores_a_response_that_sets_a_cookie(rf, page_cache):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from kepu.core.cache import public_page

    calls = []

    @public_page
    def view(request):
        calls.append(1)
        response = HttpResponse("personal")
        response.set_cookie("seen", "1")
        return response

    for _ in range(2):
        request = rf.get("/en/somewhere/")
        request.user = AnonymousUser()
        assert view(request)["X-Kepu-Cache"] == "skip"
    assert len(calls) == 2
