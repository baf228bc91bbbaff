"""Every route × every role: who gets through the gate and who is turned away.

The routes come from the URL configuration and the API's OpenAPI document, so a route added
without a line in ``ACCESS`` fails ``test_every_route_is_in_the_matrix``. "Through the gate"
means any answer but a refusal: a form re-rendered with an error (200/400/409/422) is through,
a 401/403/404 or a redirect to the log-in page is a refusal.
"""

import json
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kepu.accounts.models import ApiToken, Notification
from kepu.activities import services
from kepu.activities.models import Feedback

ROLES = ["anonymous", "public", "reporter_a", "reporter_b", "reviewer", "admin"]

# Who may pass each gate. The objects are unit A's (the reporter_a's unit); reporter_b is the
# sibling unit, reviewer sits on the county above both, admin on the city above the county.
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
OWNER = {"public"}  # the ticket / notification belongs to the public user
STAFF = {"reporter_a", "reporter_b", "reviewer", "admin"}
REPORT_ANYWHERE = {"reporter_a", "reporter_b", "admin"}
VIEW_A = {"reporter_a", "reviewer", "admin"}
REPORT_A = {"reporter_a", "admin"}
REVIEW_A = {"reviewer", "admin"}
CHECKIN_A = {"reporter_a", "admin"}
MODERATE_A = {"reviewer", "admin"}
MANAGE_CAMPAIGN = {"admin"}
AUDIT = {"reviewer", "admin"}
RESULTS_A = {"reporter_a", "admin"}  # results.add on unit A
SUBMIT_A = {"reporter_a", "admin"}  # reports.submit for unit A
REVIEW_SUMMARIES = {"admin"}  # reports.review where the campaign is organised
STATS = {"reporter_a", "reporter_b", "reviewer", "admin"}  # stats.view, each on their subtree
AWARDS = {"admin"}  # awards.manage where the campaign is organised
EVALUATE = {"reviewer", "admin"}  # awards.evaluate
QUIZZES = {"admin"}  # quizzes.manage where the quiz's organisation is (the city)
TICKET = "<the ticket code of the public user>"

# route name → (method, who passes, form data)
ACCESS: dict[str, tuple[str, set[str], dict]] = {
    # site
    "healthz": ("GET", EVERYONE, {}),
    "ceiling": ("GET", EVERYONE, {}),
    "set_language": ("POST", EVERYONE, {"language": "vi", "next": "/"}),
    # portal
    "campaigns:home": ("GET", EVERYONE, {}),
    "campaigns:campaign-detail": ("GET", EVERYONE, {}),
    "campaigns:campaign-calendar": ("GET", EVERYONE, {}),
    "activities:activity-list": ("GET", EVERYONE, {}),
    "activities:activity-detail": ("GET", EVERYONE, {}),
    "activities:activity-ics": ("GET", EVERYONE, {}),
    "activities:registration-create": ("POST", SIGNED_IN, {}),
    "activities:checkin-self": ("POST", EVERYONE, {"code": "000000"}),
    "activities:feedback-create": ("POST", SIGNED_IN, {"rating": "5"}),
    "activities:ticket-list": ("GET", SIGNED_IN, {}),
    "activities:ticket-detail": ("GET", OWNER, {}),
    "activities:registration-cancel": ("POST", OWNER, {}),
    # accounts
    "accounts:login": ("GET", EVERYONE, {}),
    "accounts:code-request": ("GET", EVERYONE, {}),
    "accounts:code-verify": ("GET", EVERYONE, {}),
    "accounts:logout": ("GET", EVERYONE, {}),
    "accounts:elder-mode": ("GET", EVERYONE, {"on": "1"}),
    "accounts:profile": ("GET", SIGNED_IN, {}),
    "accounts:phone-change": ("GET", SIGNED_IN, {}),
    "accounts:phone-change-verify": ("GET", SIGNED_IN, {}),
    "accounts:password-change": ("GET", SIGNED_IN, {}),
    "accounts:data-export": ("GET", SIGNED_IN, {}),
    "accounts:data-delete": ("GET", SIGNED_IN, {}),
    "accounts:notification-list": ("GET", SIGNED_IN, {}),
    "accounts:notification-read": ("POST", OWNER, {}),
    # workbench
    "activities:work-home": ("GET", STAFF, {}),
    "activities:work-activity-list": ("GET", STAFF, {}),
    "activities:work-activity-create": ("GET", REPORT_ANYWHERE, {}),
    "activities:work-activity-detail": ("GET", VIEW_A, {}),
    "activities:work-activity-edit": ("GET", REPORT_A | REVIEW_A, {}),
    "activities:work-activity-transition": ("POST", REVIEW_A, {}),
    "activities:work-capacity": ("POST", REPORT_A, {"capacity": "30"}),
    "activities:work-review-queue": ("GET", REVIEW_A, {}),
    "activities:work-registration-list": ("GET", VIEW_A, {}),
    "activities:work-checkin": ("GET", CHECKIN_A, {}),
    "activities:work-checkin-code": ("GET", CHECKIN_A, {}),
    "activities:work-feedback-hide": ("POST", MODERATE_A, {}),
    "campaigns:work-campaign-list": ("GET", MANAGE_CAMPAIGN, {}),
    "campaigns:work-campaign-create": ("GET", MANAGE_CAMPAIGN, {}),
    "campaigns:work-campaign-detail": ("GET", MANAGE_CAMPAIGN, {}),
    "campaigns:work-campaign-edit": ("GET", MANAGE_CAMPAIGN, {}),
    "campaigns:work-jointaction-create": ("POST", MANAGE_CAMPAIGN, {}),
    "campaigns:work-phase-reopen": ("POST", MANAGE_CAMPAIGN, {}),
    "campaigns:work-target-set": ("POST", MANAGE_CAMPAIGN, {}),
    "core:audit-list": ("GET", AUDIT, {}),
    "exports:job-list": ("GET", STAFF, {}),
    "exports:export": ("GET", STAFF, {"kind": "activities", "format": "csv"}),
    "exports:job-detail": ("GET", {"reporter_a"}, {}),  # the requester only
    "exports:job-download": ("GET", {"reporter_a"}, {}),
    "exports:import": ("GET", REPORT_ANYWHERE, {}),
    "exports:import-template": ("GET", REPORT_ANYWHERE, {}),
    "results:work-results": ("GET", VIEW_A, {}),
    "results:work-result-upload": ("POST", RESULTS_A, {}),
    "results:work-result-link": ("POST", RESULTS_A, {}),
    "results:work-outcome": ("POST", RESULTS_A, {}),
    "results:work-result-remove": ("POST", RESULTS_A, {}),
    "results:item-file": ("GET", VIEW_A, {}),
    "results:item-thumbnail": ("GET", VIEW_A, {}),
    "reports:summary-list": ("GET", {"reporter_a", "reporter_b", "admin"}, {}),
    "reports:summary-open": ("GET", SUBMIT_A, {}),
    "reports:summary-detail": ("GET", SUBMIT_A | REVIEW_SUMMARIES, {}),
    "reports:summary-edit": ("POST", SUBMIT_A, {"text": "总结"}),
    "reports:summary-correct": ("POST", SUBMIT_A, {"key": "checkins", "value": "1"}),
    "reports:summary-submit": ("POST", SUBMIT_A, {}),
    "reports:summary-review": ("POST", REVIEW_SUMMARIES, {"comment": "请补充"}),
    "reports:campaign-summaries": ("GET", REVIEW_SUMMARIES, {}),
    "reports:summary-attachment-add": ("POST", SUBMIT_A, {}),
    "reports:summary-attachment-remove": ("POST", SUBMIT_A, {}),
    "reports:summary-attachment-file": ("GET", SUBMIT_A | REVIEW_SUMMARIES, {}),
    # awards (the world's campaign has a final commendation list: kepu.awards.tests.helpers)
    "awards:work-ranking": ("GET", AWARDS, {}),
    "awards:work-indicators": ("GET", AWARDS, {}),
    "awards:work-scoring": ("GET", EVALUATE, {}),
    "awards:work-commendation": ("GET", AWARDS, {}),
    "awards:work-commended-add": ("POST", AWARDS, {}),
    "awards:work-commended-remove": ("POST", AWARDS, {}),
    "awards:work-commendation-publicise": ("POST", AWARDS, {"days": "3"}),
    "awards:work-commendation-finalise": ("POST", AWARDS, {}),
    "awards:work-objections": ("GET", AWARDS, {}),
    "awards:work-objection-answer": ("POST", AWARDS, {"answer": "已核实"}),
    "awards:work-certificate": ("GET", VIEW_A, {}),  # the organiser and unit A's own staff
    "awards:commendation-detail": ("GET", EVERYONE, {}),
    "awards:objection-create": ("POST", EVERYONE, {}),
    "awards:certificate-verify": ("GET", EVERYONE, {}),
    "stats:campaign-dashboard": ("GET", STATS, {}),
    # quizzes (the world's quiz: kepu.quizzes.tests.helpers; the attempt is the public user's)
    "quizzes:work-question-list": ("GET", QUIZZES, {}),
    "quizzes:work-question-create": ("GET", QUIZZES, {}),
    "quizzes:work-question-edit": ("GET", QUIZZES, {}),
    "quizzes:work-question-retire": ("POST", QUIZZES, {}),
    "quizzes:work-question-import": ("GET", QUIZZES, {}),
    "quizzes:work-question-template": ("GET", QUIZZES, {}),
    "quizzes:work-question-export": ("GET", QUIZZES, {}),
    "quizzes:work-quiz-list": ("GET", QUIZZES, {}),
    "quizzes:work-quiz-create": ("GET", QUIZZES, {}),
    "quizzes:work-quiz-detail": ("GET", QUIZZES, {}),
    "quizzes:work-quiz-edit": ("GET", QUIZZES, {}),
    "quizzes:work-quiz-publish": ("POST", QUIZZES, {}),
    "quizzes:work-quiz-stats": ("GET", QUIZZES, {}),
    "quizzes:work-quiz-suspicious": ("GET", QUIZZES, {}),
    "quizzes:work-quiz-draw": ("GET", QUIZZES, {}),
    "quizzes:work-quiz-draw-run": ("POST", QUIZZES, {}),
    "quizzes:quiz-detail": ("GET", EVERYONE, {}),
    "quizzes:attempt-start": ("POST", SIGNED_IN, {}),
    "quizzes:quiz-leaderboard": ("GET", EVERYONE, {}),
    "quizzes:quiz-draw": ("GET", EVERYONE, {}),
    "quizzes:attempt-take": ("GET", OWNER, {}),
    "quizzes:attempt-save": ("POST", OWNER, {}),
    "quizzes:attempt-submit": ("POST", OWNER, {}),
    "quizzes:attempt-result": ("GET", OWNER, {}),
}

# Patterns that are not application routes of their own: the Django admin (superusers only,
# checked separately below) and the API, whose operations are listed in API_ACCESS.
SKIPPED_PREFIXES = ("admin:", "api:")

# "METHOD /path" (as in the OpenAPI document) → who passes, JSON body
API_ACCESS: dict[str, tuple[set[str], dict]] = {
    "POST /api/v1/auth/token": (EVERYONE, {}),
    "DELETE /api/v1/auth/token": (SIGNED_IN, {}),
    "GET /api/v1/me": (SIGNED_IN, {}),
    "GET /api/v1/campaigns": (EVERYONE, {}),
    "GET /api/v1/campaigns/{slug}": (EVERYONE, {}),
    "GET /api/v1/activities": (EVERYONE, {}),
    "GET /api/v1/activities/{activity_id}": (EVERYONE, {}),
    "POST /api/v1/activities/{activity_id}/registrations": (SIGNED_IN, {}),
    "POST /api/v1/activities/{activity_id}/checkin/self": (SIGNED_IN, {"code": "000000"}),
    "POST /api/v1/activities/{activity_id}/feedback": (SIGNED_IN, {"rating": 5}),
    "GET /api/v1/me/tickets": (SIGNED_IN, {}),
    "GET /api/v1/me/tickets/{code}": (OWNER, {}),
    "POST /api/v1/me/tickets/{code}/cancel": (OWNER, {}),
    "GET /api/v1/staff/activities": (STAFF, {}),
    "GET /api/v1/staff/activities/{activity_id}/registrations": (VIEW_A, {}),
    "POST /api/v1/staff/activities/{activity_id}/checkins": (CHECKIN_A, {"code": TICKET}),
    "GET /api/v1/staff/campaigns/{campaign_id}/statistics": (STATS, {}),
    "GET /api/v1/quizzes/{quiz_id}": (EVERYONE, {}),
    "POST /api/v1/quizzes/{quiz_id}/attempts": (SIGNED_IN, {}),
    "GET /api/v1/quizzes/{quiz_id}/leaderboard": (EVERYONE, {}),
    "GET /api/v1/quizzes/{quiz_id}/draw": (EVERYONE, {}),
    "GET /api/v1/quiz-attempts/{attempt_id}": (OWNER, {}),
    "PUT /api/v1/quiz-attempts/{attempt_id}/answers": (OWNER, {"answers": {}}),
    "POST /api/v1/quiz-attempts/{attempt_id}/submit": (OWNER, {}),
    "GET /api/v1/quiz-attempts/{attempt_id}/result": (OWNER, {}),
    "GET /api/v1/staff/campaigns/{campaign_id}/quizzes": (QUIZZES, {}),
    "GET /api/v1/staff/quizzes/{quiz_id}/statistics": (QUIZZES, {}),
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def app_routes() -> dict[str, URLPattern]:
    routes = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith(SKIPPED_PREFIXES) or name in routes:
            continue
        routes[name] = pattern
    return routes


def api_routes() -> set[str]:
    from kepu.api.urls import api

    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_route_is_in_the_matrix():
    routes = set(app_routes())
    assert routes - set(ACCESS) == set(), "routes without a line in ACCESS"
    assert set(ACCESS) - routes == set(), "ACCESS lines for routes that no longer exist"


def test_every_api_operation_is_in_the_matrix():
    operations = api_routes()
    assert operations - set(API_ACCESS) == set(), "API operations without a line in API_ACCESS"
    assert set(API_ACCESS) - operations == set(), "API_ACCESS lines for removed operations"


@pytest.fixture
def world(tree, campaign, make_activity):
    """Objects of unit A that every route is tried against."""
    activity = make_activity()
    submitted = make_activity(status="submitted", title="待审核的讲座")
    ticket = services.register_for_activity(
        activity.pk, user=tree.public, name="公众甲", phone="13800000001", consent=True
    )
    feedback = Feedback.objects.create(activity=activity, user=tree.public, rating=4, comment="好")
    notification = Notification.objects.create(user=tree.public, message="您已报名", url="/")
    return SimpleNamespace(
        tree=tree,
        campaign=campaign,
        activity=activity,
        submitted=submitted,
        ticket=ticket,
        feedback=feedback,
        notification=notification,
    )


# Route name → a function of the world giving its URL arguments, for routes whose objects are
# not in the world above (each app adds its own lines; create what is needed from world.*).
KWARGS: dict[str, Callable] = {}

from kepu.reports.tests import helpers as _reports  # noqa: E402

for _name in (
    "reports:summary-detail",
    "reports:summary-edit",
    "reports:summary-correct",
    "reports:summary-submit",
    "reports:summary-attachment-add",
):
    KWARGS[_name] = lambda world: {"pk": _reports.summary_a(world)}
KWARGS["reports:summary-review"] = lambda world: {
    "pk": _reports.summary_a(world),
    "action": "return",
}
KWARGS["reports:summary-open"] = lambda world: {
    "pk": world.campaign.pk,
    "unit": world.tree.unit_a.pk,
}
KWARGS["reports:campaign-summaries"] = lambda world: {"pk": world.campaign.pk}
KWARGS["reports:summary-attachment-remove"] = lambda world: {"pk": _reports.attachment_a(world)}
KWARGS["reports:summary-attachment-file"] = lambda world: {"pk": _reports.attachment_a(world)}
for _name in [n for n in ACCESS if n.startswith("awards:")]:
    from kepu.awards.tests.helpers import matrix_kwargs

    KWARGS[_name] = matrix_kwargs(_name)
KWARGS["stats:campaign-dashboard"] = lambda world: {"pk": world.campaign.pk}
for _name in ("exports:job-detail", "exports:job-download"):
    from kepu.exports.tests.helpers import matrix_kwargs as exports_kwargs

    KWARGS[_name] = exports_kwargs(_name)
for _name in [n for n in ACCESS if n.startswith("quizzes:")]:
    from kepu.quizzes.tests.helpers import matrix_kwargs as quizzes_kwargs

    KWARGS[_name] = quizzes_kwargs(_name)
for _name in ("results:work-result-remove", "results:item-file", "results:item-thumbnail"):
    from kepu.results.tests.helpers import matrix_kwargs as results_kwargs

    KWARGS[_name] = results_kwargs(_name)


def _kwargs(name: str, pattern: URLPattern, world) -> dict:
    if name in KWARGS:
        return KWARGS[name](world)
    wanted = set(pattern.pattern.converters)
    values = {
        "pk": world.activity.pk,
        "slug": world.campaign.slug,
        "code": world.ticket.ticket_code,
        "action": "approve",
    }
    if name == "activities:work-activity-transition":
        values["pk"] = world.submitted.pk
    elif name == "activities:work-feedback-hide":
        values["pk"] = world.feedback.pk
    elif name == "accounts:notification-read":
        values["pk"] = world.notification.pk
    elif name.startswith("campaigns:work-"):
        values["pk"] = world.campaign.pk
    return {key: values[key] for key in wanted}


def _login(client, world, role: str) -> None:
    if role != "anonymous":
        client.force_login(getattr(world.tree, role))


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code in (301, 302):
        location = response.headers.get("Location", "")
        return "/accounts/login/" in location or "/django-admin/login/" in location
    return False


ROUTE_CASES = [(name, role) for name in sorted(ACCESS) for role in ROLES]


@pytest.mark.parametrize(("name", "role"), ROUTE_CASES)
def test_route_lets_through_exactly_the_roles_it_should(client, world, name, role):
    from django.urls import reverse

    method, allowed, data = ACCESS[name]
    data = {k: world.ticket.ticket_code if v == TICKET else v for k, v in data.items()}
    pattern = app_routes()[name]
    url = reverse(name, kwargs=_kwargs(name, pattern, world))
    url = url.replace("/zh-hans/", "/en/", 1)
    _login(client, world, role)
    client.raise_request_exception = False
    response = client.post(url, data) if method == "POST" else client.get(url, data)
    assert response.status_code < 500, f"{method} {url} as {role}: {response.status_code}"
    assert response.status_code not in (405, 501), f"{method} {url}: {response.status_code}"
    if role in allowed:
        assert not _refused(response), f"{role} was refused {method} {url}"
    else:
        assert _refused(response), f"{role} got through {method} {url}: {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_the_django_admin_is_for_superusers_only(client, world, role):
    _login(client, world, role)
    response = client.get("/en/django-admin/")
    assert _refused(response)


def _api_path(operation: str, world) -> tuple[str, str]:
    method, path = operation.split(" ", 1)
    path = (
        path.replace("{id}", str(world.activity.pk))
        .replace("{activity_id}", str(world.activity.pk))
        .replace("{code}", world.ticket.ticket_code)
        .replace("{slug}", world.campaign.slug)
        .replace("{campaign_id}", str(world.campaign.pk))
    )
    if "{quiz_id}" in path or "{attempt_id}" in path:
        from kepu.quizzes.tests.helpers import api_values

        for placeholder, value in api_values(world).items():
            path = path.replace(placeholder, value)
    return method, path


API_CASES = [(op, role) for op in sorted(API_ACCESS) for role in ROLES]


@pytest.mark.parametrize(("operation", "role"), API_CASES)
def test_api_operation_lets_through_exactly_the_roles_it_should(client, world, operation, role):
    allowed, body = API_ACCESS[operation]
    body = {k: world.ticket.ticket_code if v == TICKET else v for k, v in body.items()}
    method, path = _api_path(operation, world)
    headers = {}
    if role != "anonymous":
        _token, key = ApiToken.issue(getattr(world.tree, role), name="matrix")
        headers["Authorization"] = f"Bearer {key}"
    client.raise_request_exception = False
    response = client.generic(
        method, path, data=json.dumps(body), content_type="application/json", headers=headers
    )
    assert response.status_code < 500, f"{operation} as {role}: {response.status_code}"
    if role in allowed:
        assert response.status_code not in (401, 403, 404), f"{role} refused {operation}"
    else:
        assert response.status_code in (401, 403, 404), f"{role} got through {operation}"
