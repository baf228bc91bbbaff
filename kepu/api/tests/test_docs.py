import re

from kepu.core.middleware import CSP


def test_openapi_json_is_valid_and_lists_the_paths(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "kepu API"
    for path in [
        "/api/v1/activities",
        "/api/v1/activities/{activity_id}",
        "/api/v1/activities/{activity_id}/registrations",
        "/api/v1/campaigns/{slug}",
        "/api/v1/auth/token",
        "/api/v1/me/tickets/{code}/cancel",
        "/api/v1/staff/activities/{activity_id}/checkins",
    ]:
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    assert "/api/v1/{rest}" not in schema["paths"]


def test_the_docs_page_loads_only_bundled_assets_and_no_inline_script(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert not re.search(r"""(src|href)=["']https?://""", html)
    # The only inline <script> is JSON data, which CSP does not execute.
    for match in re.finditer(r"<script([^>]*)>", html):
        attrs = match.group(1)
        assert "src=" in attrs or 'type="application/json"' in attrs
    assert '"validatorUrl": null' in html


def test_the_docs_page_is_served_under_the_strict_site_csp(client, db):
    response = client.get("/api/v1/docs")
    assert response["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
