import pytest
from django.core.cache import cache

from conftest import PASSWORD
from kepu.accounts.models import Notification, User
from kepu.core.models import AuditEntry

PROFILE = "/zh-hans/accounts/me/"
ELDER = "/zh-hans/accounts/elder-mode/"


def en(path: str) -> str:
    """The same page in English, for tests that read a message."""
    return path.replace("/zh-hans/", "/en/", 1)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def profile_data(user, **changes):
    data = {"name": user.name, "email": user.email or "", "language": user.language}
    if user.elder_mode:
        data["elder_mode"] = "on"
    data.update(changes)
    return data


def test_the_profile_needs_a_signed_in_person(client, db):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_person_sees_their_own_phone_unmasked_and_their_memberships(client, tree):
    client.force_login(tree.reporter_a)
    body = client.get(PROFILE).content.decode()
    assert "13800000002" in body
    assert tree.unit_a.name in body
    for link in (
        "/zh-hans/accounts/me/phone/",
        "/zh-hans/accounts/me/password/",
        "/zh-hans/accounts/me/export.json",
        "/zh-hans/accounts/me/delete/",
        "/zh-hans/accounts/me/notifications/",
    ):
        assert link in body


def test_saving_the_profile_with_a_language_switches_to_that_language(client, tree):
    client.force_login(tree.public)
    response = client.post(PROFILE, profile_data(tree.public, name="Nguyễn Văn A", language="vi"))
    assert response.status_code == 302
    assert response["Location"] == "/vi/accounts/me/"
    assert response.cookies["django_language"].value == "vi"
    tree.public.refresh_from_db()
    assert (tree.public.name, tree.public.language) == ("Nguyễn Văn A", "vi")


def test_an_e_mail_address_of_another_account_is_refused_and_nothing_changes(client, tree):
    client.force_login(tree.public)
    response = client.post(
        en(PROFILE), profile_data(tree.public, name="new", email="reporter.a@example.com")
    )
    assert response.status_code == 409
    assert "another account" in response.content.decode()
    tree.public.refresh_from_db()
    assert (tree.public.name, tree.public.email) == ("公众甲", "public@example.com")


def test_a_person_with_a_phone_number_may_clear_the_e_mail_address(client, tree):
    client.force_login(tree.public)
    response = client.post(PROFILE, profile_data(tree.public, email=""))
    assert response.status_code == 302
    tree.public.refresh_from_db()
    assert (tree.public.email, tree.public.phone) == (None, "13800000001")


def test_a_person_without_a_phone_number_cannot_clear_the_e_mail_address(client, db):
    user = User.objects.create_user(email="only@example.com", name="only mail")
    client.force_login(user)
    response = client.post(en(PROFILE), profile_data(user, email=""))
    assert response.status_code == 400
    assert "at least a phone number or an e-mail address" in response.content.decode()
    user.refresh_from_db()
    assert user.email == "only@example.com"


def test_the_elder_mode_preference_in_the_profile_sets_the_cookie(client, tree):
    client.force_login(tree.public)
    response = client.post(PROFILE, profile_data(tree.public, elder_mode="on"))
    assert response.cookies["kepu_elder"].value == "1"
    tree.public.refresh_from_db()
    assert tree.public.elder_mode is True


def test_changing_the_password_keeps_the_session(client, tree):
    client.force_login(tree.public)
    new = "another-Secret-42"
    response = client.post(
        "/zh-hans/accounts/me/password/",
        {
            "old_password": PASSWORD,
            "new_password1": new,
            "new_password2": new,
        },
    )
    assert response.status_code == 302
    assert client.get(PROFILE).status_code == 200
    tree.public.refresh_from_db()
    assert tree.public.check_password(new)
    assert AuditEntry.objects.filter(action="accounts.user.password_changed").exists()


def test_a_wrong_old_password_changes_nothing(client, tree):
    client.force_login(tree.public)
    response = client.post(
        "/zh-hans/accounts/me/password/",
        {
            "old_password": "nope",
            "new_password1": "another-Secret-42",
            "new_password2": "another-Secret-42",
        },
    )
    assert response.status_code == 400
    tree.public.refresh_from_db()
    assert tree.public.check_password(PASSWORD)


def test_a_person_who_signs_in_by_sms_can_set_a_first_password(client, db):
    user = User.objects.create_user(phone="13912345678")
    client.force_login(user)
    page = client.get("/zh-hans/accounts/me/password/").content.decode()
    assert 'name="old_password"' not in page
    new = "another-Secret-42"
    response = client.post(
        "/zh-hans/accounts/me/password/", {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_elder_mode_link_sets_a_long_lived_lax_httponly_cookie_and_the_body_gets_the_class(
    client, db
):
    response = client.get(ELDER, {"on": "1", "next": "/zh-hans/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/accounts/login/"
    cookie = response.cookies["kepu_elder"]
    assert cookie.value == "1"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    page = client.get("/zh-hans/accounts/login/").content.decode()
    assert 'class="elder' in page
    response = client.get(ELDER, {"on": "0", "next": "/zh-hans/accounts/login/"})
    assert response.cookies["kepu_elder"]["max-age"] == 0
    assert 'class="elder' not in client.get("/zh-hans/accounts/login/").content.decode()


def test_elder_mode_refuses_an_open_redirect(client, db):
    response = client.get(ELDER, {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/zh-hans/"


def test_a_signed_in_persons_saved_elder_mode_applies_without_the_cookie(client, tree):
    client.force_login(tree.public)
    client.get(ELDER, {"on": "1"})
    tree.public.refresh_from_db()
    assert tree.public.elder_mode is True
    client.cookies.pop("kepu_elder")
    assert 'class="elder' in client.get(PROFILE).content.decode()


def test_notifications_are_listed_newest_first_with_unread_marked(client, tree):
    Notification.objects.create(user=tree.public, message="older notice")
    Notification.objects.create(user=tree.public, message="newer notice")
    Notification.objects.create(user=tree.reporter_a, message="someone else's notice")
    client.force_login(tree.public)
    body = client.get("/zh-hans/accounts/me/notifications/").content.decode()
    assert body.index("newer notice") < body.index("older notice")
    assert "someone else" not in body
    assert "unread" in body


def test_reading_a_notification_marks_it_and_follows_only_a_local_link(client, tree):
    local = Notification.objects.create(user=tree.public, message="a", url="/zh-hans/tickets/")
    evil = Notification.objects.create(user=tree.public, message="b", url="//evil.example/")
    client.force_login(tree.public)
    assert client.get(f"/zh-hans/accounts/me/notifications/{local.pk}/read/").status_code == 405
    response = client.post(f"/zh-hans/accounts/me/notifications/{local.pk}/read/")
    assert response["Location"] == "/zh-hans/tickets/"
    response = client.post(f"/zh-hans/accounts/me/notifications/{evil.pk}/read/")
    assert response["Location"] == "/zh-hans/accounts/me/notifications/"
    local.refresh_from_db()
    assert local.read_at is not None


def test_a_person_cannot_read_someone_elses_notification(client, tree):
    other = Notification.objects.create(user=tree.reporter_a, message="private")
    client.force_login(tree.public)
    response = client.post(f"/zh-hans/accounts/me/notifications/{other.pk}/read/")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
