from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "kepu.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from kepu.exports.registry import register

        from .exports import CAMPAIGN_STATISTICS

        register(CAMPAIGN_STATISTICS)
