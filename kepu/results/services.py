"""Results of an activity: every change goes through one function here.

Each function checks "results.add" on the activity's organisation, that the activity has been
published (or has finished), and that the campaign's results phase is open (late additions are
accepted only when the organiser reopened it, and are marked late); each writes an audit entry.
Files are written to the default storage (local disk or S3) and removed again when the database
write fails, so a refused or failed upload leaves no file behind.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from kepu.accounts.models import User
from kepu.activities.models import Activity
from kepu.campaigns.models import Phase
from kepu.campaigns.services import check_phase_open
from kepu.core.audit import changed, log_action, snapshot
from kepu.core.errors import Conflict, DomainError, NotFound, invalid
from kepu.organisations import scoping

from . import uploads
from .models import Outcome, ResultItem

FILE_KINDS = {"photo", "video", "document"}
_AUDIT_FIELDS = [
    "kind",
    "extension",
    "content_type",
    "size",
    "original_name",
    "duration_seconds",
    "url",
    "title",
    "outlet",
    "published_on",
    "caption",
    "is_late",
]
_OUTCOME_FIELDS = ["participants_onsite", "participants_online", "online_views", "is_late"]


def _activity_for_results(activity_id: int, *, actor: User, now: datetime | None) -> tuple:
    """The locked activity and whether an addition now is late; raises when not allowed."""
    try:
        activity = (
            Activity.objects.select_for_update(of=("self",))
            .select_related("campaign", "organisation")
            .get(pk=activity_id)
        )
    except Activity.DoesNotExist:
        raise NotFound("not_found", _("This activity does not exist.")) from None
    scoping.require(actor, "results.add", activity.organisation)
    if activity.status not in Activity.PUBLIC_STATUSES:
        raise Conflict(
            "not_published",
            _("Results can be added only once the activity has been published."),
        )
    late = check_phase_open(
        activity.campaign, Phase.RESULTS, organisation=activity.organisation, now=now
    )
    return activity, late


def add_file_result(
    activity: Activity,
    *,
    actor: User,
    upload,
    caption: str = "",
    allowed: set[str] | None = None,
    now: datetime | None = None,
) -> ResultItem:
    """Check ``upload`` by its content and store it (with a thumbnail for photos) as a result.

    Raises DomainError (codes of ``uploads.inspect``: unsupported_type, damaged_file,
    file_too_large, video_too_long, ...), Forbidden, Conflict("not_published") or
    DomainError("deadline_passed"). On any refusal or failure nothing is stored.
    """
    # The file is inspected before the transaction: ffprobe on a large video must not hold a
    # lock. The permission is checked first so nobody else makes the server measure files.
    scoping.require(actor, "results.add", activity.organisation)
    campaign = activity.campaign
    inspected = uploads.inspect(
        upload, (allowed or FILE_KINDS) & FILE_KINDS, max_video_seconds=campaign.max_video_seconds
    )
    with uploads.removed_on_failure() as stored, transaction.atomic():
        activity, late = _activity_for_results(activity.pk, actor=actor, now=now)
        item = ResultItem(
            activity=activity,
            kind=inspected.kind,
            extension=inspected.extension,
            content_type=inspected.content_type,
            size=inspected.size,
            original_name=uploads.original_name(upload),
            width=inspected.width,
            height=inspected.height,
            duration_seconds=inspected.duration_seconds,
            caption=caption.strip(),
            is_late=late,
            added_by=actor,
        )
        _validate(item)
        stored.append(uploads.store(item.file, inspected, upload))
        if inspected.thumbnail is not None:
            item.thumbnail.save("thumb", ContentFile(inspected.thumbnail), save=False)
            stored.append(item.thumbnail.name)
        item.save()
        log_action(
            "results.item.added",
            item,
            actor=actor,
            organisation=activity.organisation,
            after=snapshot(item, _AUDIT_FIELDS),
        )
    return item


def add_link_result(
    activity: Activity,
    *,
    actor: User,
    url: str,
    title: str,
    outlet: str = "",
    published_on: date | None = None,
    now: datetime | None = None,
) -> ResultItem:
    """Record a news report about the activity. Raises DomainError("invalid") for a bad address."""
    with transaction.atomic():
        activity, late = _activity_for_results(activity.pk, actor=actor, now=now)
        item = ResultItem(
            activity=activity,
            kind=ResultItem.Kind.LINK,
            url=url.strip(),
            title=title.strip(),
            outlet=outlet.strip(),
            published_on=published_on,
            is_late=late,
            added_by=actor,
        )
        if not item.title:
            raise DomainError("invalid", _("Give the title of the report."))
        if not item.url.lower().startswith(("http://", "https://")):
            raise DomainError(
                "invalid", _("Enter a web address starting with http:// or https://.")
            )
        _validate(item)
        item.save()
        log_action(
            "results.item.added",
            item,
            actor=actor,
            organisation=activity.organisation,
            after=snapshot(item, _AUDIT_FIELDS),
        )
    return item


def remove_result(item: ResultItem, *, actor: User, now: datetime | None = None) -> None:
    """Delete a result and its files, while the results phase is open. Files go after commit."""
    with transaction.atomic():
        activity, _late = _activity_for_results(item.activity_id, actor=actor, now=now)
        try:
            item = ResultItem.objects.select_for_update().get(pk=item.pk, activity=activity)
        except ResultItem.DoesNotExist:
            raise NotFound("not_found", _("This result does not exist.")) from None
        names = [name for name in (item.file.name, item.thumbnail.name) if name]
        log_action(
            "results.item.removed",
            item,
            actor=actor,
            organisation=activity.organisation,
            before=snapshot(item, _AUDIT_FIELDS),
        )
        item.delete()
        transaction.on_commit(lambda: _delete_files(names))


def set_outcome(
    activity: Activity,
    *,
    actor: User,
    participants_onsite: int,
    participants_online: int,
    online_views: int = 0,
    now: datetime | None = None,
) -> Outcome:
    """Record the numbers reached by the activity (one Outcome per activity, updated in place)."""
    numbers = {
        "participants_onsite": participants_onsite,
        "participants_online": participants_online,
        "online_views": online_views,
    }
    if any(value is None or value < 0 for value in numbers.values()):
        raise DomainError("invalid", _("Numbers of participants cannot be negative."))
    with transaction.atomic():
        activity, late = _activity_for_results(activity.pk, actor=actor, now=now)
        outcome = Outcome.objects.select_for_update().filter(activity=activity).first()
        before = snapshot(outcome, _OUTCOME_FIELDS) if outcome else {}
        if outcome is None:
            outcome = Outcome(activity=activity)
        for field, value in numbers.items():
            setattr(outcome, field, value)
        outcome.is_late = outcome.is_late or late
        outcome.updated_by = actor
        outcome.save()
        old, new = changed(before, snapshot(outcome, _OUTCOME_FIELDS))
        log_action(
            "results.outcome.set",
            outcome,
            actor=actor,
            organisation=activity.organisation,
            before=old,
            after=new,
        )
    return outcome


def _validate(item: ResultItem) -> None:
    try:
        item.full_clean(exclude=["file", "thumbnail", "activity", "added_by"])
    except ValidationError as exc:
        raise invalid(exc) from None


def _delete_files(names: list[str]) -> None:
    for name in names:
        # The row is gone either way; a file that cannot be deleted is at worst a random name.
        with contextlib.suppress(OSError):
            default_storage.delete(name)
