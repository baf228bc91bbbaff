from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kepu.reports"
    label = "reports"
    verbose_name = _("Summary reports")
    demo = "kepu.reports.demo.build_summaries_demo"  # called by manage.py seed_demo

    def ready(self) -> None:
        from kepu.exports.registry import register

        from .exports import CAMPAIGN_SUMMARIES

        register(CAMPAIGN_SUMMARIES)
