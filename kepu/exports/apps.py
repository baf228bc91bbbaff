from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "kepu.exports"
    label = "exports"
    verbose_name = _("Exports and imports")

    def ready(self) -> None:
        from .kinds import register_kinds

        register_kinds()
