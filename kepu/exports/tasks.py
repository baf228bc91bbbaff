from celery import shared_task

from .models import ExportJob


@shared_task
def run_export_job(job_id: int) -> None:
    """Write a queued export (kepu.exports.services.run_export), in its requester's language."""
    from .services import run_export

    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is not None:
        run_export(job)


@shared_task
def delete_expired_exports() -> int:
    """Daily on a worker (celery beat): kepu.exports.services.delete_expired_exports."""
    from .services import delete_expired_exports as delete

    return delete()
