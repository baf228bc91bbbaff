from django.core.management.base import BaseCommand

from kepu.reports.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the reminders due before the results and summary deadlines (run hourly)."

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"{sent} reminder notice(s) sent.")
