import datetime as dt

import pytest
from django.utils import timezone

from kepu.activities import services
from kepu.activities.models import Activity, CheckIn, Registration

SIGN_UP = {"name": "公众甲", "phone": "13800000001", "consent": True}


def sign_up(client, activity, headers, **overrides):
    return client.post(
        f"/api/v1/activities/{activity.pk}/registrations",
        {**SIGN_UP, **overrides},
        content_type="application/json",
        headers=headers,
    )


def test_sign_up_with_a_token_returns_201_and_a_ticket(client, published, tree, bearer):
    response = sign_up(client, published, bearer(tree.public))
    assert response.status_code == 201
    ticket = response.json()
    registration = Registration.objects.get(activity=published, user=tree.public)
    assert ticket["code"] == registration.ticket_code
    assert ticket["status"] == "confirmed"
    assert ticket["phone"] == "13800000001"  # one's own number, unmasked
    assert ticket["activity"]["id"] == published.pk


@pytest.mark.parametrize("case", ["confirmed", "waitlisted", "minor"])
def test_the_sign_up_answer_is_the_ticket_as_the_ticket_endpoint_shows_it(
    client, make_activity, tree, bearer, case
):
    """The sign-up answer is built without the schema (for speed): it must equal TicketOut."""
    activity = make_activity(capacity=1 if case == "waitlisted" else 5)
    if case == "waitlisted":
        assert sign_up(client, activity, bearer(tree.reporter_b)).json()["status"] == "confirmed"
    headers = bearer(tree.public)
    extra = {"is_minor": True, "guardian_name": "家长乙", "guardian_consent": True}
    response = sign_up(client, activity, headers, **(extra if case == "minor" else {}))
    assert response.status_code == 201
    made = response.json()
    assert made["status"] == ("waitlisted" if case == "waitlisted" else "confirmed")
    shown = client.get(f"/api/v1/me/tickets/{made['code']}", headers=headers).json()
    assert made == shown
    english = sign_up(client, make_activity(), {**headers, "Accept-Language": "en"}).json()
    assert english["status_label"] == "confirmed"
    assert english["activity"]["starts_at"].endswith("+08:00")  # the campaign's zone


def test_a_second_sign_up_is_409_already_registered(client, published, tree, bearer):
    headers = bearer(tree.public)
    sign_up(client, published, headers)
    response = sign_up(client, published, headers)
    assert response.status_code == 409
    assert response.json()["code"] == "already_registered"
    assert Registration.objects.filter(activity=published).count() == 1


def test_sign_up_without_consent_is_refused_with_a_code(client, published, tree, bearer):
    response = sign_up(client, published, bearer(tree.public), consent=False)
    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    assert not Registration.objects.exists()


def test_sign_up_without_the_consent_field_is_422_naming_the_field(client, published, tree, bearer):
    response = client.post(
        f"/api/v1/activities/{published.pk}/registrations",
        {"name": "公众甲"},
        content_type="application/json",
        headers=bearer(tree.public),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["field"] for e in body["errors"]] == ["consent"]


def test_a_minor_needs_a_guardian(client, published, tree, bearer):
    response = sign_up(client, published, bearer(tree.public), is_minor=True)
    assert response.json()["code"] == "guardian_consent_required"


def test_anonymous_sign_up_is_401_json(client, published):
    response = client.post(
        f"/api/v1/activities/{published.pk}/registrations", SIGN_UP, content_type="application/json"
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["code"] == "unauthorized"
    assert not Registration.objects.exists()


def test_signing_up_for_a_draft_is_404_like_a_missing_activity(client, make_activity, tree, bearer):
    draft = make_activity(status="draft")
    response = sign_up(client, draft, bearer(tree.public))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_my_tickets_list_detail_and_cancel(client, published, tree, bearer):
    headers = bearer(tree.public)
    code = sign_up(client, published, headers).json()["code"]
    listed = client.get("/api/v1/me/tickets", headers=headers).json()
    assert [t["code"] for t in listed["items"]] == [code]
    assert client.get(f"/api/v1/me/tickets/{code.lower()}", headers=headers).status_code == 200
    cancelled = client.post(f"/api/v1/me/tickets/{code}/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/me/tickets/{code}/cancel", headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "already_cancelled"


def test_another_persons_ticket_is_404(client, published, tree, bearer):
    code = sign_up(client, published, bearer(tree.public)).json()["code"]
    other = bearer(tree.reporter_b)
    assert client.get(f"/api/v1/me/tickets/{code}", headers=other).status_code == 404
    response = client.post(f"/api/v1/me/tickets/{code}/cancel", headers=other)
    assert response.status_code == 404
    assert Registration.objects.get(ticket_code=code).status == "confirmed"


def test_self_check_in_with_the_venue_code_checks_the_ticket_in(client, published, tree, bearer):
    headers = bearer(tree.public)
    code = sign_up(client, published, headers).json()["code"]
    url = f"/api/v1/activities/{published.pk}/checkin/self"
    wrong = client.post(url, {"code": "000000"}, content_type="application/json", headers=headers)
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_code"
    response = client.post(
        url,
        {"code": services.rotating_code(published)},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json()["ticket_code"] == code
    assert response.json()["method"] == "self"
    ticket = client.get(f"/api/v1/me/tickets/{code}", headers=headers).json()
    assert ticket["checked_in_at"] is not None


def test_feedback_after_attending_and_refused_before_the_end(client, published, tree, bearer):
    headers = bearer(tree.public)
    sign_up(client, published, headers)
    services.self_check_in(published, user=tree.public, code=services.rotating_code(published))
    url = f"/api/v1/activities/{published.pk}/feedback"
    early = client.post(url, {"rating": 5}, content_type="application/json", headers=headers)
    assert early.status_code == 400 and early.json()["code"] == "not_ended"
    past = timezone.now() - dt.timedelta(hours=1)
    Activity.objects.filter(pk=published.pk).update(
        starts_at=past - dt.timedelta(hours=2), ends_at=past
    )
    bad = client.post(url, {"rating": 9}, content_type="application/json", headers=headers)
    assert bad.json()["code"] == "invalid_rating"
    ok = client.post(
        url, {"rating": 4, "comment": "很好"}, content_type="application/json", headers=headers
    )
    assert ok.status_code == 200
    assert ok.json()["rating"] == 4
    assert CheckIn.objects.filter(user=tree.public).count() == 1


def test_feedback_from_someone_who_did_not_attend_is_403(client, published, tree, bearer):
    Activity.objects.filter(pk=published.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    response = client.post(
        f"/api/v1/activities/{published.pk}/feedback",
        {"rating": 5},
        content_type="application/json",
        headers=bearer(tree.public),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_attended"


@pytest.mark.parametrize("path", ["/api/v1/me/tickets", "/api/v1/me"])
def test_my_pages_need_a_token(client, db, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
