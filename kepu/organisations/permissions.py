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
        }
    ),
    Role.COORDINATOR: frozenset(
        {"campaigns.manage", "activities.view", "activities.report", "activities.checkin"}
    ),
    Role.REPORTER: frozenset({"activities.view", "activities.report", "activities.checkin"}),
    Role.REVIEWER: frozenset(
        {"activities.view", "activities.review", "activities.moderate", "core.audit"}
    ),
}


def role_grants(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
