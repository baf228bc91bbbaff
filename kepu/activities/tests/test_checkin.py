import datetime as dt

import pytest
from django.utils import timezone, translation

from kepu.activities import services
from kepu.activities.models import CheckIn, Feedback
from kepu.core.errors import Conflict, DomainError, Forbidden


@pytest.fixture
def ticket(published, tree):
    return services.register_for_activity(
        published.pk, user=tree.public, name="公众甲", phone="13800000001", consent=True
    )


def test_staff_checks_a_ticket_in_once_and_a_second_scan_says_so(published, ticket, tree):
    checkin = services.check_in_ticket(published, actor=tree.reporter_a, code=ticket.ticket_code)
    assert checkin.registration == ticket
    with translation.override("en"), pytest.raises(Conflict) as err:
        services.check_in_ticket(published, actor=tree.reporter_a, code=ticket.ticket_code.lower())
    assert err.value.code == "already_checked_in"
    assert "Already checked in at" in err.value.message
    assert CheckIn.objects.count() == 1


def test_a_second_scan_on_a_later_day_names_the_day_of_the_first(published, ticket, tree):
    checkin = services.check_in_ticket(published, actor=tree.reporter_a, code=ticket.ticket_code)
    earlier = timezone.localtime(timezone.now(), published.tz) - dt.timedelta(days=3)
    CheckIn.objects.filter(pk=checkin.pk).update(at=earlier)
    messages = {}
    for language in ("en", "zh-hans", "vi"):
        with translation.override(language), pytest.raises(Conflict) as err:
            services.check_in_ticket(published, actor=tree.reporter_a, code=ticket.ticket_code)
        messages[language] = err.value.message
    hhmm = earlier.strftime("%H:%M")
    assert messages["en"].startswith("Already checked in on ")
    assert messages["en"].endswith(f" {earlier.day}, {earlier.year} at {hhmm}.")
    assert messages["zh-hans"] == (
        f"已于 {earlier.year}年{earlier.month}月{earlier.day}日 {hhmm} 签到。"
    )
    assert messages["vi"] == (
        f"Đã điểm danh: Ngày {earlier:%d} tháng {earlier.month} năm {earlier.year}, lúc {hhmm}."
    )
    assert CheckIn.objects.count() == 1


def test_sibling_unit_staff_cannot_check_in(published, ticket, tree):
    with pytest.raises(Forbidden):
        services.check_in_ticket(published, actor=tree.reporter_b, code=ticket.ticket_code)


def test_unknown_and_waitlisted_tickets_are_refused(published, ticket, tree):
    with pytest.raises(DomainError) as err:
        services.check_in_ticket(published, actor=tree.reporter_a, code="NOPE")
    assert err.value.code == "unknown_ticket"


def test_self_check_in_with_the_rotating_code(published, ticket, tree):
    code = services.rotating_code(published)
    checkin = services.self_check_in(published, user=tree.public, code=code)
    assert checkin.method == CheckIn.Method.SELF
    assert checkin.registration == ticket


def test_previous_period_code_still_works_but_older_codes_do_not(published, tree):
    period = 60
    previous = services.rotating_code(published, offset=-1)
    services.self_check_in(published, user=None, code=previous, name="路人", phone="13700000000")
    old = services.rotating_code(published, at=timezone.now() - dt.timedelta(seconds=3 * period))
    with pytest.raises(DomainError) as err:
        services.self_check_in(published, user=None, code=old, name="路人乙", phone="13700000001")
    assert err.value.code == "invalid_code"


def test_walk_in_leaves_name_and_phone_and_is_counted_once(published):
    code = services.rotating_code(published)
    services.self_check_in(published, user=None, code=code, name="路人", phone="137 0000 0000")
    with pytest.raises(Conflict):
        services.self_check_in(published, user=None, code=code, name="路人", phone="13700000000")
    walk_in = CheckIn.objects.get()
    assert walk_in.method == CheckIn.Method.WALK_IN
    assert walk_in.phone == "13700000000"


def test_walk_in_without_name_or_with_a_bad_phone_is_refused(published):
    code = services.rotating_code(published)
    with pytest.raises(DomainError) as err:
        services.self_check_in(published, user=None, code=code, name="", phone="13700000000")
    assert err.value.code == "name_required"
    with pytest.raises(DomainError) as err:
        services.self_check_in(published, user=None, code=code, name="甲", phone="abc")
    assert err.value.code == "invalid_phone"
    assert not CheckIn.objects.exists()


def test_codes_differ_between_activities(make_activity):
    a, b = make_activity(), make_activity()
    assert services.rotating_code(a) != services.rotating_code(b)


def test_feedback_only_after_the_end_and_only_for_attendees(make_activity, tree):
    now = timezone.now()
    activity = make_activity(
        starts_at=now + dt.timedelta(minutes=1), ends_at=now + dt.timedelta(hours=1)
    )
    reg = services.register_for_activity(activity.pk, user=tree.public, name="甲", consent=True)
    services.check_in_ticket(activity, actor=tree.reporter_a, code=reg.ticket_code)
    with pytest.raises(DomainError) as err:
        services.leave_feedback(activity, user=tree.public, rating=5)
    assert err.value.code == "not_ended"
    type(activity).objects.filter(pk=activity.pk).update(
        starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1)
    )
    activity.refresh_from_db()
    with pytest.raises(Forbidden):
        services.leave_feedback(activity, user=tree.reporter_b, rating=5)
    with pytest.raises(DomainError) as err:
        services.leave_feedback(activity, user=tree.public, rating=9)
    assert err.value.code == "invalid_rating"
    feedback = services.leave_feedback(activity, user=tree.public, rating=4, comment="很好")
    assert (feedback.rating, feedback.comment) == (4, "很好")
    services.leave_feedback(activity, user=tree.public, rating=5, comment="更好")
    assert Feedback.objects.get().rating == 5


def test_staff_hide_a_comment_and_it_is_audited(make_activity, tree):
    from kepu.core.models import AuditEntry

    now = timezone.now()
    activity = make_activity(
        starts_at=now + dt.timedelta(minutes=1), ends_at=now + dt.timedelta(hours=1)
    )
    reg = services.register_for_activity(activity.pk, user=tree.public, name="甲", consent=True)
    services.check_in_ticket(activity, actor=tree.reporter_a, code=reg.ticket_code)
    type(activity).objects.filter(pk=activity.pk).update(
        starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1)
    )
    activity.refresh_from_db()
    feedback = services.leave_feedback(activity, user=tree.public, rating=1, comment="广告")
    with pytest.raises(Forbidden):
        services.hide_feedback(feedback, actor=tree.reporter_b)
    services.hide_feedback(feedback, actor=tree.reviewer)
    assert Feedback.objects.visible().count() == 0
    assert AuditEntry.objects.filter(action="activities.feedback.hidden").exists()
