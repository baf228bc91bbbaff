from celery import shared_task

from .reminders import send_due_reminders


@shared_task
def send_reminders() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): the reminders due before the results and summary deadlines."""
    return send_due_reminders()
