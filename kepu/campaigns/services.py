"""Campaign services: creating campaigns and their children, joint actions, deadlines."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kepu.core.audit import log_action, snapshot
from kepu.core.cache import site_changed
from kepu.core.errors import DomainError, invalid
from kepu.organisations import scoping
from kepu.organisations.models import Organisation

from .models import Campaign, CampaignTarget, DeadlineReopening, JointAction, Phase

CAMPAIGN_FIELDS = [
    "title",
    "theme",
    "slug",
    "starts_on",
    "ends_on",
    "time_zone",
    "language",
    "description",
    "register_by",
    "results_by",
    "summary_by",
    "participation",
    "is_public",
]


def _invited_for(
    organiser: Organisation, participation: str, invited: Iterable[Organisation]
) -> list[Organisation]:
    """The invited set to store: empty for a subtree campaign (which ignores it); for an
    invited-only campaign at least one organisation, each inside the organiser's subtree.

    Invitations stay inside the organiser's tree: a person sees and edits only what their
    organisation and its descendants own, so the organiser could neither review nor follow
    the activities of an organisation invited from outside it.
    """
    if participation != Campaign.Participation.INVITED:
        return []
    chosen = sorted({org.pk: org for org in invited}.values(), key=lambda org: org.path)
    if not chosen:
        raise DomainError(
            "invited_empty",
            _(
                "Choose at least one invited organisation, or let every organisation under the "
                "organiser take part."
            ),
        )
    outside = [org for org in chosen if not org.is_within(organiser)]
    if outside:
        raise DomainError(
            "invited_outside_tree",
            _(
                "Only organisations under the organiser %(organiser)s can be invited, not: "
                "%(names)s."
            )
            % {"organiser": organiser.name, "names": ", ".join(org.name for org in outside)},
        )
    return chosen


def _invited_entry(organisations: Iterable[Organisation]) -> list[dict]:
    """The invited set as the audit log keeps it: ids and names, in tree order."""
    return [
        {"id": org.pk, "name": org.name} for org in sorted(organisations, key=lambda org: org.path)
    ]


@transaction.atomic
def create_campaign(
    *,
    actor,
    organiser: Organisation,
    parent: Campaign | None = None,
    invited: Iterable[Organisation] | None = None,
    **fields,
) -> Campaign:
    """Create a campaign owned by ``organiser``.

    A child campaign must be run by the parent's organiser or one of its descendants; it
    inherits the parent's theme when it sets none. An invited-only campaign needs at least one
    invited organisation, each under the organiser; a subtree campaign ignores ``invited``.
    Raises Forbidden without campaigns.manage, DomainError("child_outside_parent"),
    DomainError("invited_empty"), DomainError("invited_outside_tree"), DomainError("invalid").
    """
    scoping.require(actor, "campaigns.manage", organiser)
    if parent is not None and not organiser.is_within(parent.organiser):
        raise DomainError(
            "child_outside_parent",
            _("A child campaign must be run by an organisation under the parent's organiser."),
        )
    campaign = Campaign(organiser=organiser, parent=parent, **fields)
    try:
        campaign.full_clean(exclude=["lineage"])
    except ValidationError as exc:
        raise invalid(exc) from None
    chosen = _invited_for(organiser, campaign.participation, invited or [])
    campaign.save()
    prefix = parent.lineage if parent else "/"
    campaign.lineage = f"{prefix}{campaign.pk}/"
    campaign.save(update_fields=["lineage"])
    campaign.invited.set(chosen)
    log_action(
        "campaigns.campaign.created",
        campaign,
        actor=actor,
        organisation=organiser,
        after={**snapshot(campaign), "invited": _invited_entry(chosen)},
    )
    site_changed()
    return campaign


@transaction.atomic
def update_campaign(
    campaign: Campaign, *, actor, invited: Iterable[Organisation] | None = None, **fields
) -> Campaign:
    """Edit a campaign's fields and, when ``invited`` is given, its invited organisations.

    The same rules as ``create_campaign`` hold for the result: an invited-only campaign keeps
    at least one invited organisation under the organiser (``invited=None`` keeps the current
    set); switching to a subtree campaign clears the set. Audited with the invited set.
    """
    scoping.require(actor, "campaigns.manage", campaign.organiser)
    current = list(campaign.invited.all())
    before = {**snapshot(campaign), "invited": _invited_entry(current)}
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise ValueError(name)
        setattr(campaign, name, value)
    try:
        campaign.full_clean(exclude=["lineage"])
    except ValidationError as exc:
        raise invalid(exc) from None
    chosen = _invited_for(
        campaign.organiser, campaign.participation, current if invited is None else invited
    )
    campaign.save()
    campaign.invited.set(chosen)
    log_action(
        "campaigns.campaign.updated",
        campaign,
        actor=actor,
        organisation=campaign.organiser,
        before=before,
        after={**snapshot(campaign), "invited": _invited_entry(chosen)},
    )
    site_changed()
    return campaign


@transaction.atomic
def add_joint_action(
    campaign: Campaign,
    *,
    actor,
    title: str,
    description: str = "",
    lead_unit: Organisation | None = None,
    lead_unit_name: str = "",
    number: int | None = None,
) -> JointAction:
    scoping.require(actor, "campaigns.manage", campaign.organiser)
    if number is None:
        number = campaign.joint_actions.count() + 1
    action = JointAction(
        campaign=campaign,
        title=title,
        description=description,
        lead_unit=lead_unit,
        lead_unit_name=lead_unit_name,
        number=number,
    )
    action.full_clean()
    action.save()
    log_action(
        "campaigns.joint_action.created",
        action,
        actor=actor,
        organisation=campaign.organiser,
        after=snapshot(action),
    )
    site_changed()
    return action


@transaction.atomic
def set_target(campaign: Campaign, *, actor, level: str, min_key_activities: int) -> CampaignTarget:
    scoping.require(actor, "campaigns.manage", campaign.organiser)
    target, _created = CampaignTarget.objects.update_or_create(
        campaign=campaign, level=level, defaults={"min_key_activities": min_key_activities}
    )
    log_action(
        "campaigns.target.set",
        campaign,
        actor=actor,
        organisation=campaign.organiser,
        after={"level": level, "min_key_activities": min_key_activities},
    )
    return target


@transaction.atomic
def reopen_phase(
    campaign: Campaign,
    *,
    actor,
    phase: str,
    until: datetime,
    organisation: Organisation | None = None,
) -> DeadlineReopening:
    """Let a phase accept late items until ``until`` (for everyone or one organisation)."""
    scoping.require(actor, "campaigns.manage", campaign.organiser)
    if phase not in Phase.values:
        raise DomainError("invalid_phase", _("Unknown phase."))
    if until <= timezone.now():
        raise DomainError("reopen_in_past", _("The new closing time must be in the future."))
    reopening = DeadlineReopening.objects.create(
        campaign=campaign, phase=phase, until=until, organisation=organisation
    )
    log_action(
        "campaigns.phase.reopened",
        campaign,
        actor=actor,
        organisation=campaign.organiser,
        after={
            "phase": phase,
            "until": until.isoformat(),
            "organisation": organisation.pk if organisation else None,
        },
    )
    return reopening


def effective_deadline(campaign: Campaign, phase: str) -> datetime | None:
    """The campaign's own deadline for the phase, else the nearest ancestor's."""
    return campaign.effective_deadline(phase)


@dataclass(frozen=True)
class PhaseState:
    """Where a phase stands for one organisation: its deadline (in the campaign's time zone,
    or None), whether items are accepted now, and whether they would be marked late."""

    deadline: datetime | None
    open: bool
    late: bool
    reopened_until: datetime | None = None


def phase_state(
    campaign: Campaign, phase: str, *, organisation: Organisation, now: datetime | None = None
) -> PhaseState:
    """The phase's state for ``organisation``: open until the deadline, then closed unless the
    organiser reopened it for everyone or for an organisation that contains ``organisation``
    (open, and late). Pages show it before anyone fills in a form."""
    now = now or timezone.now()
    deadline = effective_deadline(campaign, phase)
    local = timezone.localtime(deadline, campaign.tz) if deadline else None
    if deadline is None or now <= deadline:
        return PhaseState(local, open=True, late=False)
    reopenings = DeadlineReopening.objects.filter(
        campaign__in=[campaign.pk, *campaign.ancestor_ids()], phase=phase, until__gte=now
    ).select_related("organisation")
    for reopening in reopenings:
        if reopening.organisation is None or organisation.is_within(reopening.organisation):
            until = timezone.localtime(reopening.until, campaign.tz)
            return PhaseState(local, open=True, late=True, reopened_until=until)
    return PhaseState(local, open=False, late=True)


def deadline_passed_message(campaign: Campaign, phase: str, deadline: datetime) -> str:
    local = timezone.localtime(deadline, campaign.tz)
    return _(
        "The deadline for %(phase)s, %(when)s, has passed. Ask the organiser to reopen it."
    ) % {"phase": Phase(phase).label, "when": date_format(local, "DATETIME_FORMAT")}


def check_phase_open(
    campaign: Campaign, phase: str, *, organisation: Organisation, now: datetime | None = None
) -> bool:
    """Whether the phase still accepts items from ``organisation``; returns True when late.

    Raises DomainError("deadline_passed") after the deadline unless the organiser reopened
    the phase for everyone or for an organisation that contains ``organisation``.
    """
    state = phase_state(campaign, phase, organisation=organisation, now=now)
    if not state.open:
        raise DomainError(
            "deadline_passed", deadline_passed_message(campaign, phase, state.deadline)
        )
    return state.late


def participates(campaign: Campaign, organisation: Organisation) -> bool:
    """Whether ``organisation`` takes part: in the organiser's subtree, or invited."""
    if campaign.participation == Campaign.Participation.SUBTREE:
        return organisation.is_within(campaign.organiser)
    if organisation.pk == campaign.organiser_id:
        return True
    return any(organisation.is_within(invited) for invited in campaign.invited.all())


def joint_actions_for(campaign: Campaign) -> list[JointAction]:
    """The campaign's joint actions with those it inherits from every ancestor campaign."""
    ids = [*campaign.ancestor_ids()] or [campaign.pk]
    return list(
        JointAction.objects.filter(campaign_id__in=ids)
        .select_related("lead_unit", "campaign")
        .order_by("campaign__lineage", "number")
    )
