"""Roles and the permissions they grant. A membership grants them on its organisation's subtree."""

from .models import Membership

Role = Membership.Role

# Permission names are declared by each app: "<app>.<action>".
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "organisations.manage",
            "campaigns.manage",
            "activities.view",
            "activities.report",
            "activities.review",
            "activities.checkin",
            "activities.moderate",
            "core.audit",
            "results.add",
            "reports.submit",
            "reports.review",
            "stats.view",
            "awards.manage",
            "awards.evaluate",
            "quizzes.manage",
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            "campaigns.manage",
            "activities.view",
            "activities.report",
            "activities.checkin",
            "results.add",
            "reports.submit",
            "reports.review",
            "stats.view",
            "awards.manage",
            "quizzes.manage",
        }
    ),
    Role.REPORTER: frozenset(
        {
            "activities.view",
            "activities.report",
            "activities.checkin",
            "results.add",
            "reports.submit",
            "stats.view",
        }
    ),
    Role.REVIEWER: frozenset(
        {
            "activities.view",
            "activities.review",
            "activities.moderate",
            "core.audit",
            "stats.view",
            "awards.evaluate",
        }
    ),
}
# results.add: add results and outcomes to the unit's activities; reports.submit: write and
# submit the unit's summary; reports.review: accept or return the summaries of the units a
# campaign organiser covers; stats.view: dashboards and exports of the subtree;
# awards.manage: indicators, the ranked table, commendations, objections, certificates;
# awards.evaluate: score the units on the indicators that are not measured.


def role_grants(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
