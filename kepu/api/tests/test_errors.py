import pytest
from django.utils import translation

SIGN_UP = '{"name": "公众甲", "consent": true}'


@pytest.fixture
def url(published):
    return f"/api/v1/activities/{published.pk}/registrations"


def _is_error(response, status: int | tuple[int, ...], code: str | None = None) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    if code:
        assert body["code"] == code
    return body


@pytest.mark.parametrize(
    "body",
    ['{"name": "公众甲", "consent": tru', "\u00ff\u00fe", "[1, 2]", '"text"', "null", "{" * 5000],
)
def test_a_malformed_json_body_is_a_4xx_json_error(client, url, tree, bearer, body):
    response = client.post(url, body, content_type="application/json", headers=bearer(tree.public))
    _is_error(response, (400, 422))


def test_invalid_utf8_in_the_body_is_a_400(client, url, tree, bearer):
    response = client.generic(
        "POST", url, b"\xff\xfe{", content_type="application/json", headers=bearer(tree.public)
    )
    _is_error(response, 400, "malformed_body")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz"],
)
def test_a_wrong_content_type_is_415_json(client, url, tree, bearer, content_type):
    response = client.generic(
        "POST", url, SIGN_UP.encode(), content_type=content_type, headers=bearer(tree.public)
    )
    _is_error(response, 415, "unsupported_media_type")


def test_a_json_body_with_the_charset_parameter_is_accepted(client, url, tree, bearer):
    response = client.generic(
        "POST",
        url,
        SIGN_UP.encode(),
        content_type="application/json; charset=utf-8",
        headers=bearer(tree.public),
    )
    assert response.status_code == 201


def test_an_empty_body_names_the_missing_fields(client, url, tree, bearer):
    response = client.post(url, "", content_type="application/json", headers=bearer(tree.public))
    body = _is_error(response, 422, "invalid")
    assert body["errors"] == [
        {"field": "", "location": "body", "message": "此项为必填项。", "type": "missing"}
    ]


def test_wrong_field_types_are_422_with_field_details(client, url, tree, bearer):
    response = client.post(
        url,
        {"consent": "maybe", "name": ["x"]},
        content_type="application/json",
        headers=bearer(tree.public),
    )
    body = _is_error(response, 422, "invalid")
    assert {e["field"] for e in body["errors"]} == {"consent", "name"}
    assert all(e["location"] == "body" for e in body["errors"])


def test_an_unknown_api_address_is_a_json_404(client, db):
    _is_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    _is_error(client.post("/api/v1/activities/1/nothing-here"), 404, "not_found")


def test_error_messages_follow_accept_language(client, published, tree, bearer):
    headers = {**bearer(tree.public), "Accept-Language": "en"}
    body = client.post(
        f"/api/v1/activities/{published.pk}/registrations",
        {"name": "x", "consent": False},
        content_type="application/json",
        headers=headers,
    ).json()
    assert body == {
        "code": "consent_required",
        "message": "Please agree to the use of your data for this activity.",
    }
    zh = client.post(
        f"/api/v1/activities/{published.pk}/registrations",
        {"name": "x", "consent": False},
        content_type="application/json",
        headers={**headers, "Accept-Language": "zh-hans"},
    ).json()
    assert zh["code"] == "consent_required"
    # The catalogs are compiled by `make test`; compare with whatever they hold for zh-hans.
    with translation.override("zh-hans"):
        assert zh["message"] == translation.gettext(body["message"])


def test_every_error_has_the_code_and_message_shape(client, published, tree, bearer):
    _is_error(client.get("/api/v1/activities/123456"), 404, "not_found")
    _is_error(client.get("/api/v1/me"), 401, "unauthorized")
    _is_error(client.get("/api/v1/activities?page=x"), 422, "invalid")
    _is_error(
        client.post(
            "/api/v1/auth/token", {"login": "x", "password": "y"}, content_type="application/json"
        ),
        400,
        "invalid_credentials",
    )


def test_a_bug_is_answered_as_json_500_and_still_reported(client, db, monkeypatch, caplog):
    from kepu.activities import selectors

    def broken(params):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "search_public_activities", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/activities")
    _is_error(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    assert any("boom" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_a_method_the_endpoint_does_not_have_is_refused_not_run(client, published):
    response = client.put(
        f"/api/v1/activities/{published.pk}", "{}", content_type="application/json"
    )
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("language", "query", "field", "message"),
    [
        ("vi", "q=" + "讲" * 300, "q", "Vui lòng nhập tối đa 200 ký tự."),
        ("zh-hant", "date_from=2021-02-30", "date_from", "請輸入有效日期（YYYY-MM-DD）。"),
        ("zh-hans", "page=abc", "page", "请输入整数。"),
        ("zh-hans", "page=0", "page", "请输入不小于 1 的数。"),
        ("en", "page=0", "page", "Enter a number of at least 1."),
    ],
)
def test_each_invalid_field_is_explained_in_the_callers_language(
    client, db, language, query, field, message
):
    response = client.get(f"/api/v1/activities?{query}", HTTP_ACCEPT_LANGUAGE=language)
    body = _is_error(response, 422, "invalid")
    assert [(e["field"], e["message"]) for e in body["errors"]] == [(field, message)]


def test_a_missing_body_field_is_explained_in_the_callers_language(client, url, tree, bearer):
    response = client.post(
        url,
        '{"name": "公众甲"}',
        content_type="application/json",
        headers={**bearer(tree.public), "Accept-Language": "vi"},
    )
    body = _is_error(response, 422, "invalid")
    assert [(e["field"], e["message"], e["type"]) for e in body["errors"]] == [
        ("consent", "Trường này là bắt buộc.", "missing")
    ]
