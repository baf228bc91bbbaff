"""Organisation tree services."""

from django.db import transaction

from kepu.core.audit import log_action, snapshot

from . import scoping
from .models import Membership, Organisation, Region


def add_region(*, parent: Region | None = None, **fields) -> Region:
    if parent is None:
        return Region.objects.add_root(create_kwargs=fields)
    return Region.objects.add_child(parent, create_kwargs=fields)


@transaction.atomic
def add_organisation(*, parent: Organisation | None = None, actor=None, **fields) -> Organisation:
    """Add an organisation under ``parent`` (a root when None: set-up and superusers only)."""
    if parent is None:
        if actor is not None and not actor.is_superuser:
            raise PermissionError("only a superuser may add a root organisation")
        org = Organisation.objects.add_root(create_kwargs=fields)
    else:
        if actor is not None:
            scoping.require(actor, "organisations.manage", parent)
        org = Organisation.objects.add_child(parent, create_kwargs=fields)
    if actor is not None:
        log_action(
            "organisations.organisation.created",
            org,
            actor=actor,
            organisation=org,
            after=snapshot(org),
        )
    return org


@transaction.atomic
def grant_role(organisation: Organisation, *, user, role: str, actor=None) -> Membership:
    if actor is not None:
        scoping.require(actor, "organisations.manage", organisation)
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    scoping.forget(user)
    if actor is not None:
        log_action(
            "organisations.membership.granted",
            membership,
            actor=actor,
            organisation=organisation,
            after={"user": user.pk, "role": role},
        )
    return membership
