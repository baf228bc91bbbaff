import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from conftest import PASSWORD
from kepu.accounts.models import Notification, User
from kepu.accounts.services import delete_account, export_personal_data
from kepu.activities import services as activity_services
from kepu.activities.models import Activity, CheckIn, Feedback, Registration
from kepu.core.errors import Forbidden
from kepu.core.models import AuditEntry

EXPORT = "/zh-hans/accounts/me/export.json"
DELETE = "/zh-hans/accounts/me/delete/"
S = Registration.Status


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def sign_up(activity, user):
    return activity_services.register_for_activity(
        activity.pk, user=user, name=user.name, consent=True
    )


@pytest.fixture
def one_place(published, tree):
    """One place: the public person is confirmed, reporter B waits."""
    Activity.objects.filter(pk=published.pk).update(capacity=1)
    mine = sign_up(published, tree.public)
    theirs = sign_up(published, tree.reporter_b)
    assert (mine.status, theirs.status) == (S.CONFIRMED, S.WAITLISTED)
    return published


@pytest.fixture
def attended(make_activity, tree):
    """A past activity the public person attended and rated with a comment."""
    activity = make_activity(title="节水护水科普展")
    registration = sign_up(activity, tree.public)
    start = timezone.now() - dt.timedelta(days=2)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    CheckIn.objects.create(
        activity=activity,
        registration=registration,
        user=tree.public,
        name=tree.public.name,
        phone=tree.public.phone,
        method="staff",
        by=tree.reporter_a,
    )
    Feedback.objects.create(activity=activity, user=tree.public, rating=4, comment="很好,谢谢")
    return activity


def test_the_export_is_a_json_attachment_with_all_of_my_data_and_no_one_elses_phone(
    client, tree, one_place, attended
):
    Notification.objects.create(user=tree.public, message="我的通知")
    client.force_login(tree.public)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    raw = response.content.decode()
    data = json.loads(raw)
    assert data["profile"]["phone"] == "13800000001"
    assert {r["activity"] for r in data["registrations"]} == {one_place.title, attended.title}
    assert all(r["status"] and r["activity_starts_at"] for r in data["registrations"])
    assert [c["activity"] for c in data["checkins"]] == [attended.title]
    assert data["feedback"] == [
        {
            "activity": attended.title,
            "activity_id": attended.pk,
            "rating": 4,
            "comment": "很好,谢谢",
            "at": data["feedback"][0]["at"],
        }
    ]
    assert [n["message"] for n in data["notifications"]] == ["我的通知"]
    for other_phone in ("13800000003", "13800000002", one_place.contact_phone):
        assert other_phone not in raw


def test_the_export_lists_memberships(tree):
    data = export_personal_data(tree.reporter_a)
    assert data["memberships"] == [
        {
            "organisation": tree.unit_a.name,
            "role": "reporter",
            "since": data["memberships"][0]["since"],
        }
    ]


def test_the_export_needs_a_signed_in_person(client, db):
    assert client.get(EXPORT).status_code == 302


def test_the_delete_page_says_what_will_happen_and_lists_open_sign_ups(client, tree, one_place):
    client.force_login(tree.public)
    response = client.get(DELETE)
    body = response.content.decode()
    assert response.status_code == 200
    assert one_place.title in body
    assert 'name="password"' in body


def test_deleting_the_account_cancels_sign_ups_promotes_the_waiting_list_and_anonymises(
    client, tree, one_place, attended
):
    client.force_login(tree.public)
    response = client.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") is None

    statuses = dict(
        Registration.objects.filter(activity=one_place).values_list("user_id", "status")
    )
    assert statuses == {tree.public.pk: S.CANCELLED, tree.reporter_b.pk: S.CONFIRMED}
    assert tree.reporter_b.notifications.filter(message__contains=one_place.title).exists()
    one_place.refresh_from_db()
    assert (one_place.confirmed_count, one_place.waitlist_count) == (1, 0)

    user = User.objects.get(pk=tree.public.pk)
    assert (user.name, user.phone, user.is_active) == ("", None, False)
    assert user.email.endswith("@deleted.invalid")
    assert not user.has_usable_password()
    assert not Registration.objects.filter(user=user).exclude(phone="").exists()
    assert not Registration.objects.filter(user=user).exclude(name="-").exists()

    # Attendance and ratings stay counted, without the person.
    attended.refresh_from_db()
    assert attended.confirmed_count == 1
    checkin = CheckIn.objects.get(activity=attended)
    assert (checkin.name, checkin.phone) == ("", "")
    feedback = Feedback.objects.get(activity=attended)
    assert (feedback.rating, feedback.comment) == (4, "")
    assert AuditEntry.objects.filter(
        action="accounts.user.deleted", object_id=str(user.pk), actor=user
    ).exists()
    response = client.post(
        "/zh-hans/accounts/login/", {"identifier": "13800000001", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_deleting_needs_the_right_password_and_changes_nothing_otherwise(client, tree, one_place):
    client.force_login(tree.public)
    response = client.post(
        DELETE.replace("/zh-hans/", "/en/"), {"password": "wrong", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "password is not correct" in response.content.decode()
    tree.public.refresh_from_db()
    assert tree.public.is_active and tree.public.phone == "13800000001"
    assert Registration.objects.get(user=tree.public).status == S.CONFIRMED


def test_deleting_needs_the_confirmation_tick(client, tree):
    client.force_login(tree.public)
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 400
    tree.public.refresh_from_db()
    assert tree.public.is_active


def test_a_person_without_a_password_confirms_with_the_tick_alone(client, db):
    user = User.objects.create_user(phone="13912345678")
    client.force_login(user)
    assert client.post(DELETE, {"confirm": "on"}).status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.phone is None


def test_nobody_can_delete_someone_elses_account(tree):
    with pytest.raises(Forbidden):
        delete_account(tree.public, actor=tree.admin)
    tree.public.refresh_from_db()
    assert tree.public.is_active


def test_memberships_and_notifications_go_with_the_account(tree):
    Notification.objects.create(user=tree.reporter_a, message="x")
    delete_account(tree.reporter_a, actor=tree.reporter_a)
    assert not tree.reporter_a.memberships.exists()
    assert not tree.reporter_a.notifications.exists()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.com", password=PASSWORD)


def test_the_admin_shows_sign_ups_read_only_with_masked_phones(client, superuser, one_place):
    client.force_login(superuser)
    listing = client.get("/zh-hans/django-admin/activities/registration/")
    body = listing.content.decode()
    assert listing.status_code == 200
    assert "138****0001" in body and "13800000001" not in body
    registration = Registration.objects.get(user__phone="13800000001")
    detail = client.get(f"/zh-hans/django-admin/activities/registration/{registration.pk}/change/")
    assert detail.status_code == 200
    assert "13800000001" not in detail.content.decode()
    assert 'name="status"' not in detail.content.decode()


def test_the_admin_lists_people_with_masked_phones(client, superuser, tree):
    client.force_login(superuser)
    body = client.get("/zh-hans/django-admin/accounts/user/").content.decode()
    assert "138****0001" in body and "13800000001" not in body


@pytest.mark.parametrize(
    "path",
    [
        "",
        "accounts/user/",
        "organisations/organisation/",
        "campaigns/campaign/",
        "activities/activity/",
        "core/auditentry/",
    ],
)
def test_the_admin_pages_open_for_a_superuser(client, superuser, campaign, path):
    client.force_login(superuser)
    assert client.get(f"/zh-hans/django-admin/{path}").status_code == 200


def test_the_admin_is_closed_to_staff_who_are_not_superusers(client, tree):
    User.objects.filter(pk=tree.admin.pk).update(is_staff=True)
    client.force_login(tree.admin)
    response = client.get("/zh-hans/django-admin/activities/registration/")
    assert response.status_code in (302, 403)
    assert client.get("/zh-hans/django-admin/login/").status_code == 403


def test_the_admin_login_hands_over_to_the_throttled_sign_in_page(client, db):
    response = client.get("/zh-hans/django-admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/zh-hans/accounts/login/?next=")
