import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections

ROOT = Path(__file__).resolve().parents[3]


def test_pages_carry_a_csp_without_inline_script_and_deny_framing(client, db):
    response = client.get("/healthz")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_check_deploy_passes_with_production_settings():
    env = {
        **os.environ,
        "KEPU_PRODUCTION": "1",
        "KEPU_SECRET_KEY": "x7$Lq9!vR2#mZ8@pK4^wN6&tB1*yH3(jD5)fG0_sA-eC+uX=oI" * 2,
        "KEPU_ALLOWED_HOSTS": "kepu.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "KEPU_PRODUCTION": "1", "KEPU_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "KEPU_SECRET_KEY" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_a_database_that_is_down_gives_a_clean_503_page_not_a_stack_trace(client, settings):
    settings.DEBUG = False
    conn = connections["default"]
    saved = dict(conn.settings_dict)
    conn.close()
    if conn.vendor == "sqlite":
        conn.settings_dict["NAME"] = "/nonexistent-dir/kepu.sqlite3"
    else:
        conn.settings_dict["PORT"] = "1"
    try:
        client.raise_request_exception = False
        response = client.get("/zh-hans/activities/1/")
        api = client.get("/api/v1/activities/1")
    finally:
        conn.close()
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)
    assert response.status_code == 503
    body = response.content.decode()
    assert "Traceback" not in body
    assert "<h1>" in body
    assert api.status_code == 503
    assert api.json()["code"] == "unavailable"


def test_healthz_reports_ok(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
