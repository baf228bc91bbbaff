"""Exports (at once or as a background job) and the bulk import of activities.

An export never leaves a half-written file: a job writes into a temporary file and stores it
only when every row is written. An import validates every row first and creates all activities
in one transaction, or none.
"""

import os
import tempfile
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kepu.accounts.models import User
from kepu.activities import services as activity_services
from kepu.campaigns.models import Campaign
from kepu.core.audit import log_action
from kepu.core.errors import DomainError, Forbidden, NotFound
from kepu.organisations import scoping
from kepu.organisations.models import Organisation

from . import registry, writers
from .models import ExportJob

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PROGRESS_EVERY = 1000


def inline_limit() -> int:
    return int(getattr(settings, "KEPU_EXPORT_INLINE_ROWS", 5000))


def check_export(user: User, kind_name: str, fmt: str) -> registry.ExportKind:
    """The kind, if it exists, the format is known and the user holds its permission somewhere
    (the kind's rows are further scoped to where). Raises NotFound or Forbidden."""
    kind = registry.get(kind_name)
    if kind is None or fmt not in FORMATS:
        raise NotFound("unknown_export", _("There is no such export."))
    if not scoping.granted_paths(user, kind.permission):
        raise Forbidden("forbidden", _("You do not have permission to do this."))
    return kind


def file_name(kind: registry.ExportKind, fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{kind.title()}-{stamp}.{fmt}"


def _counted(rows, on_progress) -> Iterator[list]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if on_progress and done % PROGRESS_EVERY == 0:
            on_progress(done)


def write_export(kind: registry.ExportKind, user: User, params: dict, fmt: str, target,
                 on_progress=None) -> int:  # fmt: skip
    """Write the whole export to ``target`` (a binary file or a path); rows written."""
    header = kind.columns(params)
    rows = _counted(kind.rows(user, params), on_progress)
    if fmt == "csv":
        return writers.write_csv(target, header, rows)
    return writers.write_xlsx(target, header, rows, title=kind.title())


def plan_export(user: User, kind_name: str, params: dict, fmt: str) -> tuple:
    """Decide how to export: ("inline", kind) for small exports (stream them now), ("job",
    job) for one over KEPU_EXPORT_INLINE_ROWS rows, queued to run in the background.

    Raises NotFound (unknown kind or parameters the user may not see), Forbidden."""
    kind = check_export(user, kind_name, fmt)
    total = kind.count(user, params) if kind.count else None  # raises NotFound on bad params
    if total is not None and total <= inline_limit():
        # Who took which list, as for a queued export (lists may hold personal data).
        log_action(
            "exports.inline.downloaded",
            user,
            actor=user,
            after={"kind": kind.name, "format": fmt, "params": params, "total": total},
        )
        return "inline", kind
    return "job", start_export_job(user, kind_name=kind_name, params=params, fmt=fmt, total=total)


def start_export_job(user: User, *, kind_name: str, params: dict, fmt: str,
                     total: int | None = None) -> ExportJob:  # fmt: skip
    """Queue an export in the requester's current language; audited. The task runs after the
    transaction commits."""
    kind = check_export(user, kind_name, fmt)
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            kind=kind.name,
            params=params,
            format=fmt,
            language=get_language() or settings.LANGUAGE_CODE,
            total=total,
        )
        log_action(
            "exports.job.queued",
            job,
            actor=user,
            after={"kind": kind.name, "format": fmt, "params": params, "total": total},
        )
        from .tasks import run_export_job

        transaction.on_commit(lambda: run_export_job.delay(job.pk))
    return job


def run_export(job: ExportJob) -> ExportJob:
    """Write a queued job's file in its language, as its requester sees the data.

    On any error the job is marked failed with the reason and keeps no file at all."""
    claimed = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return job  # already run (a task delivered twice)
    job.refresh_from_db()
    fd, path = tempfile.mkstemp(suffix=f".{job.format}")
    os.close(fd)
    try:
        with translation.override(job.language):
            kind = check_export(job.user, job.kind, job.format)

            def progress(done: int) -> None:
                ExportJob.objects.filter(pk=job.pk).update(done=done)

            with open(path, "wb") as target:
                written = write_export(kind, job.user, job.params, job.format, target, progress)
            name = file_name(kind, job.format)
        with open(path, "rb") as source:
            job.file.save(name, File(source), save=False)
        job.file_name = name
        job.done = written
        job.total = written
        job.status = ExportJob.Status.DONE
    except Exception as exc:  # noqa: BLE001 - any failure must end as "failed", nothing kept
        if job.file:
            job.file.delete(save=False)
        job.file = ""
        job.status = ExportJob.Status.FAILED
        job.error = exc.message if isinstance(exc, DomainError) else type(exc).__name__
    finally:
        os.unlink(path)
    job.finished_at = timezone.now()
    job.save()
    return job


# --- Import -------------------------------------------------------------------------------------


class ImportRejected(DomainError):
    """The file was refused; ``errors`` lists (row number, reason) — row 0 for the file."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("import_rejected", _("Nothing was imported. Correct the rows below."))
        self.errors = errors


def import_activities(upload, *, actor: User, campaign: Campaign,
                      organisation: Organisation) -> list:  # fmt: skip
    """Create one draft activity per row of an uploaded template, all or none.

    Raises Forbidden without activities.report on the organisation, ImportRejected with every
    bad row (row number and reason) — then nothing is created."""
    from .importing import read_rows

    scoping.require(actor, "activities.report", organisation)
    if not activity_services.participates(campaign, organisation):
        raise DomainError(
            "not_participating", _("Your organisation does not take part in this campaign.")
        )
    rows, errors = read_rows(upload, user=actor, campaign=campaign, organisation=organisation)
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([(0, _("The file has no activities in it."))])
    created = []
    with transaction.atomic():
        for number, fields in rows:
            try:
                with transaction.atomic():
                    created.append(
                        activity_services.create_activity(
                            actor=actor, organisation=organisation, campaign=campaign, **fields
                        )
                    )
            except DomainError as exc:
                errors.append((number, exc.message))
        if errors:
            transaction.set_rollback(True)
        else:
            log_action(
                "exports.activities.imported",
                campaign,
                actor=actor,
                organisation=organisation,
                after={"count": len(created), "ids": [a.pk for a in created]},
            )
    if errors:
        raise ImportRejected(errors)
    return created


def keep_days() -> int:
    return getattr(settings, "KEPU_EXPORT_KEEP_DAYS", 7)


def delete_expired_exports(now=None) -> int:
    """Delete export jobs (and their files) finished or queued more than KEPU_EXPORT_KEEP_DAYS
    ago: a list of sign-ups with phone numbers is not kept longer than someone needs to
    download it. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=keep_days())
    deleted = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).only("pk", "file"):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted
