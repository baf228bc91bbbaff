from django.core.management.base import BaseCommand

from kepu.exports.services import delete_expired_exports, keep_days


class Command(BaseCommand):
    help = "Delete export files older than KEPU_EXPORT_KEEP_DAYS (run daily from cron)."

    def handle(self, *args, **options):
        deleted = delete_expired_exports()
        self.stdout.write(f"{deleted} export(s) older than {keep_days()} days deleted.")
