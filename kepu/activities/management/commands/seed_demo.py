from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from kepu.activities.demo import DEMO_PASSWORD, LOGINS, build_demo


class Command(BaseCommand):
    help = "Build the demo data from the seed notices (idempotent) and print one log-in per role."

    def handle(self, *args, **options):
        demo = build_demo(out=self.stdout.write)
        # Apps that build on the activities demo name their builder on their AppConfig
        # (``demo = "module.function"``), so that this app depends on none of them.
        for config in apps.get_app_configs():
            if builder := getattr(config, "demo", None):
                import_string(builder)(demo, out=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Sign in at /zh-hans/accounts/login/")
        )
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        for key, role in LOGINS:
            user = demo.people[key]
            self.stdout.write(f"  {user.phone:<14} {user.email:<32} {role}")
