from django.core.management import call_command

from conftest import PASSWORD
from kepu.accounts.models import ApiToken


def test_a_password_sign_in_returns_a_token_that_works_and_only_its_hash_is_stored(client, tree):
    response = client.post(
        "/api/v1/auth/token",
        {"login": "13800000001", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    key = body["token"]
    assert body["user"]["phone"] == "13800000001"
    stored = ApiToken.objects.get(user=tree.public)
    assert stored.key_hash == ApiToken.hash(key) and key not in stored.key_hash
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    assert me.json()["email"] == "public@example.com"


def test_an_e_mail_address_works_as_the_login_too(client, tree):
    response = client.post(
        "/api/v1/auth/token",
        {"login": "Reporter.A@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert ApiToken.objects.filter(user=tree.reporter_a).count() == 1


def test_a_wrong_password_gives_a_coded_error_and_no_token(client, tree):
    response = client.post(
        "/api/v1/auth/token",
        {"login": "13800000001", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_password_sign_ins_are_throttled_per_account(client, tree, settings):
    settings.KEPU_LOGIN_LIMIT = (3, 900)
    for _ in range(3):
        client.post(
            "/api/v1/auth/token",
            {"login": "13800000001", "password": "nope"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token",
        {"login": "13800000001", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working(client, tree, bearer):
    headers = bearer(tree.public)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    response = client.delete("/api/v1/auth/token", headers=headers)
    assert response.status_code == 204
    assert not ApiToken.objects.exists()
    again = client.get("/api/v1/me", headers=headers)
    assert again.status_code == 401
    assert again.json()["code"] == "unauthorized"


def test_revoking_one_token_leaves_the_persons_other_tokens(client, tree, bearer):
    first, second = bearer(tree.public), bearer(tree.public)
    client.delete("/api/v1/auth/token", headers=first)
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_a_disabled_account_cannot_use_its_token(client, tree, bearer):
    headers = bearer(tree.public)
    tree.public.is_active = False
    tree.public.save()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_garbage_and_other_schemes_in_the_authorization_header_are_401_json(client, tree):
    for value in ["Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000]:
        response = client.get("/api/v1/me", headers={"Authorization": value})
        assert response.status_code == 401, value
        assert response.json()["code"] == "unauthorized"


def test_the_browser_session_is_not_accepted_by_the_api(client, tree):
    client.force_login(tree.public)
    assert client.get("/api/v1/me").status_code == 401


def test_issue_token_command_prints_a_working_token(client, tree, capsys):
    call_command("issue_token", "reporter.a@example.com", "--name", "sync")
    key = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(user=tree.reporter_a).name == "sync"
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert response.json()["id"] == tree.reporter_a.pk


def test_a_token_records_its_use_at_most_once_per_resolution(client, tree):
    import datetime as dt

    from django.utils import timezone

    from kepu.api.auth import LAST_USED_RESOLUTION

    token, key = ApiToken.issue(tree.public, name="phone")
    headers = {"Authorization": f"Bearer {key}"}
    assert token.last_used_at is None
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=30)
    client.get("/api/v1/me", headers=headers)
    token.refresh_from_db()
    assert token.last_used_at == first  # within the resolution: no write
    long_ago = timezone.now() - LAST_USED_RESOLUTION - dt.timedelta(minutes=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > long_ago + LAST_USED_RESOLUTION
    other, _key = ApiToken.issue(tree.public, name="tablet")
    other.refresh_from_db()
    assert other.last_used_at is None  # only the token that was used
