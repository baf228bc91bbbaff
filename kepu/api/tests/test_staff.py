import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from ninja.responses import NinjaJSONEncoder

from kepu.activities import services
from kepu.activities.api import CheckInOut
from kepu.activities.models import CheckIn
from kepu.core.models import AuditEntry


@pytest.fixture
def ticket(published, tree):
    return services.register_for_activity(
        published.pk, user=tree.public, name="公众甲", phone="13800000001", consent=True
    )


def check_in(client, activity, headers, code):
    return client.post(
        f"/api/v1/staff/activities/{activity.pk}/checkins",
        {"code": code},
        content_type="application/json",
        headers=headers,
    )


def test_staff_check_in_twice_answers_409_already_checked_in(
    client, published, ticket, tree, bearer
):
    headers = bearer(tree.reporter_a)
    first = check_in(client, published, headers, ticket.ticket_code)
    assert first.status_code == 201
    assert first.json()["ticket_code"] == ticket.ticket_code
    second = check_in(client, published, headers, ticket.ticket_code.lower())
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "already_checked_in"
    assert "Already checked in at" in body["message"] or "签到" in body["message"]
    assert CheckIn.objects.count() == 1


def test_the_check_in_answer_is_what_the_check_in_schema_gives(
    client, published, ticket, tree, bearer
):
    """The answer is built without the schema (for speed): it must equal CheckInOut."""
    made = check_in(
        client, published, {**bearer(tree.reporter_a), "Accept-Language": "en"}, ticket.ticket_code
    )
    assert made.status_code == 201
    checkin = CheckIn.objects.select_related("activity__campaign", "registration").get()
    with translation.override("en"):
        schema = CheckInOut.from_orm(checkin).model_dump()
    assert made.json() == json.loads(json.dumps(schema, cls=NinjaJSONEncoder))
    assert made.json()["method_label"] == "checked in by staff"
    assert made.json()["at"].endswith("+08:00")  # the campaign's zone
    entry = AuditEntry.objects.get(action="activities.checkin.recorded")
    assert entry.object_id == str(checkin.pk) and entry.actor == tree.reporter_a


def test_the_sibling_units_staff_cannot_check_in_on_unit_a_activity(
    client, published, ticket, tree, bearer
):
    response = check_in(client, published, bearer(tree.reporter_b), ticket.ticket_code)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not CheckIn.objects.exists()


def test_a_reviewer_without_the_check_in_permission_gets_404(
    client, published, ticket, tree, bearer
):
    response = check_in(client, published, bearer(tree.reviewer), ticket.ticket_code)
    assert response.status_code == 404


def test_an_unknown_ticket_code_is_404_unknown_ticket(client, published, tree, bearer):
    response = check_in(client, published, bearer(tree.reporter_a), "NOPE")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_ticket"


def test_a_missing_activity_or_a_malformed_code_records_nothing(
    client, published, ticket, tree, bearer
):
    # The desk is read with the token (activities.api.checkin_auth) from the path and the
    # body; when either is not what it reads, the endpoint answers as it would without it.
    headers = bearer(tree.reporter_a)
    missing = client.post(
        "/api/v1/staff/activities/999999/checkins",
        {"code": ticket.ticket_code},
        content_type="application/json",
        headers=headers,
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    for body in ('{"code": 12345}', '{"code": ["A"]}', "{}", "not json"):
        response = client.post(
            f"/api/v1/staff/activities/{published.pk}/checkins",
            body,
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code in (400, 422), body
        assert "code" in response.json()
    assert not CheckIn.objects.exists()


def test_a_body_over_the_upload_limit_is_refused_in_the_callers_language_not_a_500(
    client, published, ticket, tree, bearer, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    huge = json.dumps({"code": "A" * 20_000})
    staff = {**bearer(tree.reporter_a), "Accept-Language": "vi"}
    for headers in ({"Authorization": "Bearer not-a-token"}, staff):
        response = client.post(
            f"/api/v1/staff/activities/{published.pk}/checkins",
            huge,
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code in (401, 413), response.status_code
        if response.status_code == 413:
            assert response.json() == {"code": "too_large", "message": "Yêu cầu quá lớn."}
    assert not CheckIn.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one statement with the token on PostgreSQL"
)
def test_a_scan_is_two_statements_the_desk_read_with_the_token(
    client, published, ticket, tree, bearer
):
    headers = bearer(tree.reporter_a)
    other = services.register_for_activity(
        published.pk, user=tree.reporter_b, name="公众乙", phone="13800000002", consent=True
    )
    assert check_in(client, published, headers, ticket.ticket_code).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert check_in(client, published, headers, other.ticket_code).status_code == 201
    # The test's transaction adds a savepoint around the write; a request has none.
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2  # token + activity + ticket; check-in + audit entry
    assert CheckIn.objects.count() == 2


def test_registrations_list_masks_phone_numbers(client, published, ticket, tree, bearer):
    response = client.get(
        f"/api/v1/staff/activities/{published.pk}/registrations", headers=bearer(tree.reporter_a)
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [r["phone"] for r in items] == ["138****0001"]
    assert "13800000001" not in response.content.decode()
    assert "ticket_code" not in items[0]


def test_registrations_of_a_sibling_units_activity_are_404(client, published, ticket, tree, bearer):
    response = client.get(
        f"/api/v1/staff/activities/{published.pk}/registrations", headers=bearer(tree.reporter_b)
    )
    assert response.status_code == 404


def test_staff_activities_are_scoped_to_the_subtree(client, make_activity, tree, bearer):
    own = make_activity(status="draft")
    sibling = make_activity(status="draft", organisation=tree.unit_b)

    def ids(user):
        body = client.get("/api/v1/staff/activities", headers=bearer(user)).json()
        return {item["id"] for item in body["items"]}

    assert ids(tree.reporter_a) == {own.pk}
    assert ids(tree.reporter_b) == {sibling.pk}
    assert ids(tree.reviewer) == {own.pk, sibling.pk}
    refused = client.get("/api/v1/staff/activities", headers=bearer(tree.public))
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


def test_staff_activities_filter_by_status(client, make_activity, tree, bearer):
    make_activity(status="draft")
    published = make_activity()
    body = client.get(
        "/api/v1/staff/activities", {"status": "published"}, headers=bearer(tree.reporter_a)
    ).json()
    assert [item["id"] for item in body["items"]] == [published.pk]
    bad = client.get(
        "/api/v1/staff/activities", {"status": "nonsense"}, headers=bearer(tree.reporter_a)
    )
    assert bad.status_code == 422


def test_staff_endpoints_need_a_token(client, published):
    assert client.get("/api/v1/staff/activities").status_code == 401
    response = check_in(client, published, {}, "X")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
