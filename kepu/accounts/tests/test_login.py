import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from conftest import PASSWORD
from kepu.accounts import sms
from kepu.accounts.models import User

LOGIN = "/zh-hans/accounts/login/"
CODE = "/zh-hans/accounts/login/code/"
VERIFY = "/zh-hans/accounts/login/code/verify/"


def en(path: str) -> str:
    """The same page in English, for tests that read a message."""
    return path.replace("/zh-hans/", "/en/", 1)


@pytest.fixture(autouse=True)
def _fresh_throttles_and_outbox(settings):
    settings.KEPU_SMS_BACKEND = "kepu.accounts.sms.MemoryBackend"
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_the_login_page_shows_the_form_and_a_link_to_the_code_login(client, db):
    response = client.get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="identifier"' in body and 'name="password"' in body
    assert CODE in body


def test_a_person_signs_in_with_phone_number_and_password(client, tree):
    response = client.post(LOGIN, {"identifier": "138 0000 0001", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user(client) == str(tree.public.pk)


def test_a_person_signs_in_with_e_mail_address_and_password(client, tree):
    response = client.post(
        LOGIN,
        {"identifier": "Public@Example.com", "password": PASSWORD, "next": "/zh-hans/tickets/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/tickets/"
    assert signed_in_user(client) == str(tree.public.pk)


def test_a_wrong_password_is_refused_with_a_message(client, tree):
    response = client.post(en(LOGIN), {"identifier": "13800000001", "password": "wrong-password"})
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert signed_in_user(client) is None


def test_password_guessing_is_throttled_after_the_configured_number_of_failures(
    client, tree, settings
):
    settings.KEPU_LOGIN_LIMIT = (3, 900)
    for _ in range(3):
        response = client.post(en(LOGIN), {"identifier": "13800000001", "password": "x"})
        assert response.status_code == 400
    response = client.post(en(LOGIN), {"identifier": "13800000001", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert signed_in_user(client) is None


def test_the_throttle_counts_per_account_whatever_form_of_the_number_is_typed(
    client, tree, settings
):
    settings.KEPU_LOGIN_LIMIT = (2, 900)
    for ident in ("13800000001", "+8613800000001"):
        client.post(LOGIN, {"identifier": ident, "password": "x"})
    response = client.post(LOGIN, {"identifier": "138-0000-0001", "password": PASSWORD})
    assert response.status_code == 429


def test_an_open_redirect_in_next_is_refused(client, tree):
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        client.logout()
        response = client.post(
            LOGIN, {"identifier": "13800000001", "password": PASSWORD, "next": evil}
        )
        assert response.status_code == 302
        assert response["Location"] == "/zh-hans/"


def test_a_person_with_a_language_preference_lands_on_the_home_page_in_it(client, tree):
    User.objects.filter(pk=tree.public.pk).update(language="vi")
    response = client.post(LOGIN, {"identifier": "13800000001", "password": PASSWORD})
    assert response["Location"] == "/vi/"
    assert response.cookies["django_language"].value == "vi"


def test_a_login_error_on_the_vietnamese_page_re_renders_the_form(client, tree):
    response = client.post("/vi/accounts/login/", {"identifier": "13800000001", "password": "x"})
    body = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="vi">' in body
    assert 'name="identifier"' in body


def test_code_login_sends_an_sms_and_signs_the_person_in(client, tree):
    response = client.post(CODE, {"phone": "13800000001", "next": "/zh-hans/tickets/"})
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY + "?phone=13800000001")
    [(phone, message)] = sms.outbox
    assert phone == "13800000001"
    code = re.search(r"\b(\d{6})\b", message).group(1)
    page = client.get(response["Location"])
    assert 'value="13800000001"' in page.content.decode()
    response = client.post(
        VERIFY, {"phone": "13800000001", "code": code, "next": "/zh-hans/tickets/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/tickets/"
    assert signed_in_user(client) == str(tree.public.pk)


def test_code_login_with_a_new_number_creates_an_account(client, db):
    client.post(CODE, {"phone": "13912345678"})
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1][1]).group(1)
    response = client.post(VERIFY, {"phone": "13912345678", "code": code})
    assert response.status_code == 302
    user = User.objects.get(phone="13912345678")
    assert signed_in_user(client) == str(user.pk)
    assert not user.has_usable_password()


def test_a_wrong_code_is_refused_with_a_clear_message(client, tree):
    client.post(en(CODE), {"phone": "13800000001"})
    real = re.search(r"\b(\d{6})\b", sms.outbox[-1][1]).group(1)
    wrong = "000000" if real != "000000" else "111111"
    response = client.post(en(VERIFY), {"phone": "13800000001", "code": wrong})
    assert response.status_code == 400
    assert "wrong or has expired" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_malformed_phone_number_gets_a_field_error_and_no_sms(client, db):
    response = client.post(en(CODE), {"phone": "12ab"})
    assert response.status_code == 400
    assert "valid phone number" in response.content.decode()
    assert sms.outbox == []


def test_requesting_codes_too_often_is_throttled(client, db, settings):
    settings.KEPU_OTP_SEND_LIMIT = (2, 3600)
    for _ in range(2):
        assert client.post(en(CODE), {"phone": "13912345678"}).status_code == 302
    response = client.post(en(CODE), {"phone": "13912345678"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert len(sms.outbox) == 2


def test_a_throttle_store_that_is_down_gives_a_clean_503_message_not_a_500(client, tree):
    # A real Redis client pointed at a port where nothing listens: the store is down.
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=unreachable):
        for url, data in (
            (CODE, {"phone": "13800000001"}),
            (LOGIN, {"identifier": "13800000001", "password": PASSWORD}),
        ):
            response = client.post(en(url), data)
            assert response.status_code == 503
            assert "temporarily unavailable" in response.content.decode()
    assert sms.outbox == []
    assert signed_in_user(client) is None


def test_logout_needs_a_post(client, tree):
    client.force_login(tree.public)
    page = client.get("/zh-hans/accounts/logout/")
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    assert signed_in_user(client) == str(tree.public.pk)
    response = client.post("/zh-hans/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/"
    assert signed_in_user(client) is None
