"""The one place that knows the scoping rule.

A membership grants its role's permissions on its organisation and every descendant — never
upward, never sideways. Every organisation-owned QuerySet is filtered here; a view that needs
one object asks ``get_for_user_or_404``, which answers "absent" and "not yours" the same way.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from kepu.core.errors import Forbidden

from .models import Membership, Organisation, lineage_paths
from .permissions import role_grants

_CACHE_ATTR = "_kepu_memberships"


def _memberships(user) -> list[tuple[str, str, int]]:
    """(role, organisation path, organisation id) for the user, read once per request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).values_list(
                "role", "organisation__path", "organisation_id"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember(user, memberships: list[tuple[str, str, int]]) -> None:
    """Keep memberships read together with the user (API token sign-in) for this request."""
    setattr(user, _CACHE_ATTR, list(memberships))


def forget(user) -> None:
    """Drop the per-request cache (after memberships change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def granted_paths(user, perm: str) -> list[str]:
    """Tree paths of the organisations whose subtree ``perm`` is granted on, minimal set."""
    paths = sorted({path for role, path, _id in _memberships(user) if role_grants(role, perm)})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(p) for p in minimal):
            minimal.append(path)
    return minimal


def is_staff_member(user) -> bool:
    return bool(_memberships(user))


def subtree_q(paths: Iterable[str], field: str = "organisation") -> Q:
    """Q matching rows whose ``field`` organisation lies in one of the subtrees ``paths``."""
    prefix = f"{field}__path__startswith" if field else "path__startswith"
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{prefix: path})
    return q


def line_q(paths: Iterable[str], field: str = "organiser") -> Q:
    """Q matching rows whose ``field`` organisation lies in one of the subtrees ``paths`` or
    above one of them: the campaigns that concern someone holding those subtrees (run by
    their organisation, by one above it whose campaign they take part in, or by one below it
    whose statistics, summaries and evaluation they oversee). Not for granting rights: a
    membership still acts only on its own subtree."""
    above = {a for path in paths for a in lineage_paths(path, Organisation.steplen)}
    column = f"{field}__path__in" if field else "path__in"
    return subtree_q(paths, field) | Q(**{column: sorted(above)})


def on_line(path: str, paths: Iterable[str]) -> bool:
    """Whether the organisation at ``path`` lies in, above or below one of ``paths`` (the rule
    of ``line_q`` for one organisation already read)."""
    return any(path.startswith(p) or p.startswith(path) for p in paths)


def has_perm(user, perm: str, organisation: Organisation) -> bool:
    """True when ``perm`` is granted on ``organisation`` through a membership on it or above."""
    return any(organisation.path.startswith(p) for p in granted_paths(user, perm))


def require(user, perm: str, organisation: Organisation) -> None:
    """Raise Forbidden unless ``perm`` is granted on ``organisation``."""
    if not has_perm(user, perm, organisation):
        raise Forbidden("forbidden", _("You do not have permission to do this."))


def organisations_for(user, perm: str) -> models.QuerySet[Organisation]:
    return Organisation.objects.filter(subtree_q(granted_paths(user, perm), field=""))


class ScopedQuerySet(models.QuerySet):
    """QuerySet of a model owned by an organisation. ``scope_field`` names the owner."""

    scope_field = "organisation"

    def for_user(self, user, perm: str):
        """Only rows owned by an organisation the user holds ``perm`` on (or its descendants)."""
        return self.filter(subtree_q(granted_paths(user, perm), field=self.scope_field))


def get_for_user_or_404(queryset: ScopedQuerySet, user, perm: str, **lookup):
    """One object inside the user's scope; 404 both when absent and when not the user's."""
    try:
        return queryset.for_user(user, perm).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
