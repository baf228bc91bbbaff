"""Changing the phone number: only with a code sent to the new number, only for who asked."""

import re

import pytest
from django.db.models import QuerySet
from django.test import Client

from kepu.accounts import services, sms
from kepu.accounts.models import OneTimeCode, User
from kepu.core.errors import Conflict
from kepu.core.models import AuditEntry

PROFILE = "/zh-hans/accounts/me/"
CHANGE = "/zh-hans/accounts/me/phone/"
VERIFY = "/zh-hans/accounts/me/phone/verify/"
NEW = "13912345678"


def en(path: str) -> str:
    """The same page in English, for tests that read a message."""
    return path.replace("/zh-hans/", "/en/", 1)


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.KEPU_SMS_BACKEND = "kepu.accounts.sms.MemoryBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1][1]).group(1)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def phone_of(user: User) -> str | None:
    user.refresh_from_db()
    return user.phone


def test_posting_another_phone_number_to_the_profile_leaves_the_phone_unchanged(client, tree):
    client.force_login(tree.public)
    response = client.post(
        PROFILE, {"name": "新名字", "email": "public@example.com", "phone": NEW, "language": ""}
    )
    assert response.status_code == 302
    tree.public.refresh_from_db()
    assert (tree.public.name, tree.public.phone) == ("新名字", "13800000001")
    assert sms.outbox == []


def test_the_profile_shows_the_own_phone_read_only_with_a_link_to_change_it(client, tree):
    client.force_login(tree.public)
    body = client.get(en(PROFILE)).content.decode()
    assert "13800000001" in body
    assert 'name="phone"' not in body
    assert "/en/accounts/me/phone/" in body
    assert "Change phone number" in body


def test_both_steps_need_a_signed_in_person(client, db):
    for url in (CHANGE, VERIFY):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert client.post(CHANGE, {"phone": NEW}).status_code == 302
    assert sms.outbox == []


def test_the_code_sent_to_the_new_number_changes_the_phone_and_is_audited(client, tree):
    client.force_login(tree.public)
    assert client.get(CHANGE).status_code == 200
    response = client.post(en(CHANGE), {"phone": "139 1234 5678"})
    assert response.status_code == 302
    assert response["Location"] == f"/en/accounts/me/phone/verify/?phone={NEW}"
    [(phone, message)] = sms.outbox
    assert phone == NEW
    page = client.get(response["Location"]).content.decode()
    assert f'value="{NEW}"' in page
    assert "We have sent a code by SMS to the new number." in page

    response = client.post(en(VERIFY), {"phone": NEW, "code": last_code()}, follow=True)
    assert response.redirect_chain[0] == ("/en/accounts/me/", 302)
    assert "Your phone number has been changed." in response.content.decode()
    assert phone_of(tree.public) == NEW
    entry = AuditEntry.objects.get(action="accounts.user.phone_changed")
    assert (entry.object_id, entry.actor_id) == (str(tree.public.pk), tree.public.pk)
    assert entry.before == {"phone": "138****0001"}
    assert entry.after == {"phone": "139****5678"}
    assert NEW not in str(entry.after) and "13800000001" not in str(entry.before)
    assert len(sms.outbox) == 1  # nothing else is sent


def test_a_code_works_only_once(client, tree):
    client.force_login(tree.public)
    client.post(CHANGE, {"phone": NEW})
    code = last_code()
    assert client.post(VERIFY, {"phone": NEW, "code": code}).status_code == 302
    User.objects.filter(pk=tree.public.pk).update(phone="13800000001")
    assert client.post(VERIFY, {"phone": NEW, "code": code}).status_code == 400
    assert phone_of(tree.public) == "13800000001"


def test_a_wrong_code_changes_nothing(client, tree):
    client.force_login(tree.public)
    client.post(CHANGE, {"phone": NEW})
    response = client.post(en(VERIFY), {"phone": NEW, "code": wrong(last_code())})
    assert response.status_code == 400
    assert "wrong or has expired" in response.content.decode()
    assert phone_of(tree.public) == "13800000001"
    assert not AuditEntry.objects.filter(action="accounts.user.phone_changed").exists()
    assert OneTimeCode.objects.get(phone=NEW).attempts == 1


def test_too_many_wrong_codes_void_the_code(client, tree):
    client.force_login(tree.public)
    client.post(CHANGE, {"phone": NEW})
    code = last_code()
    for _ in range(services.MAX_CODE_ATTEMPTS):
        client.post(VERIFY, {"phone": NEW, "code": wrong(code)})
    assert client.post(VERIFY, {"phone": NEW, "code": code}).status_code == 400
    assert phone_of(tree.public) == "13800000001"


def test_a_number_of_another_account_is_refused_at_the_first_step_without_an_sms(client, tree):
    client.force_login(tree.public)
    response = client.post(en(CHANGE), {"phone": "13800000002"})
    assert response.status_code == 409
    assert "belongs to another account" in response.content.decode()
    assert sms.outbox == []
    assert not OneTimeCode.objects.filter(phone="13800000002").exists()


def test_the_own_number_is_refused_at_the_first_step(client, tree):
    client.force_login(tree.public)
    response = client.post(en(CHANGE), {"phone": "13800000001"})
    assert response.status_code == 400
    assert "already your phone number" in response.content.decode()
    assert sms.outbox == []


def test_a_number_taken_by_another_account_meanwhile_is_refused_at_the_second_step(client, tree):
    client.force_login(tree.public)
    client.post(CHANGE, {"phone": NEW})
    User.objects.filter(pk=tree.reporter_a.pk).update(phone=NEW)
    response = client.post(en(VERIFY), {"phone": NEW, "code": last_code()})
    assert response.status_code == 409
    assert "belongs to another account" in response.content.decode()
    assert phone_of(tree.public) == "13800000001"
    assert phone_of(tree.reporter_a) == NEW
    assert not AuditEntry.objects.filter(action="accounts.user.phone_changed").exists()


def test_the_unique_constraint_is_the_last_guard_and_answers_phone_taken(tree, monkeypatch):
    person = tree.public
    services.send_phone_change_code(person, phone=NEW, address="198.51.100.1")
    code = last_code()
    User.objects.filter(pk=tree.reporter_a.pk).update(phone=NEW)
    # Make the re-check miss the other account, as when both writes race.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(Conflict) as caught:
        services.change_phone(person, phone=NEW, code=code, address="198.51.100.1")
    monkeypatch.undo()
    assert caught.value.code == "phone_taken"
    assert phone_of(tree.public) == "13800000001"
    assert not AuditEntry.objects.filter(action="accounts.user.phone_changed").exists()


def test_the_code_cannot_be_used_by_someone_elses_session(client, tree):
    client.force_login(tree.public)
    client.post(CHANGE, {"phone": NEW})
    code = last_code()
    other = Client()
    other.force_login(tree.reporter_a)
    response = other.post(VERIFY, {"phone": NEW, "code": code})
    assert response.status_code == 400
    assert phone_of(tree.reporter_a) == "13800000002"
    assert phone_of(tree.public) == "13800000001"
    # The person who asked can still finish: the change applies to them only.
    assert client.post(VERIFY, {"phone": NEW, "code": code}).status_code == 302
    assert phone_of(tree.public) == NEW
    assert phone_of(tree.reporter_a) == "13800000002"


def test_the_phone_change_code_does_not_sign_anyone_in(client, tree):
    client.force_login(tree.public)
    client.post(CHANGE, {"phone": NEW})
    code = last_code()
    client.logout()
    response = client.post("/zh-hans/accounts/login/code/verify/", {"phone": NEW, "code": code})
    assert response.status_code == 400
    assert client.session.get("_auth_user_id") is None
    assert not User.objects.filter(phone=NEW).exists()


def test_asking_for_codes_too_often_is_throttled(client, tree, settings):
    settings.KEPU_OTP_SEND_LIMIT = (2, 3600)
    client.force_login(tree.public)
    for number in ("13912345671", "13912345672"):
        assert client.post(CHANGE, {"phone": number}).status_code == 302
    response = client.post(en(CHANGE), {"phone": "13912345673"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert len(sms.outbox) == 2
