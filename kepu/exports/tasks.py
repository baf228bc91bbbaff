from celery import shared_task

from .models import ExportJob


@shared_task
def run_export_job(job_id: int) -> None:
    """Write a queued export (kepu.exports.services.run_export), in its requester's language."""
    from .services import run_export

    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is not None:
        run_export(job)
