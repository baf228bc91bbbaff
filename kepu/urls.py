from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from kepu.api.urls import api
from kepu.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("bench/ceiling", core_views.ceiling, name="ceiling"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("", include("kepu.campaigns.urls")),
    path("", include("kepu.activities.urls")),
    path("accounts/", include("kepu.accounts.urls")),
    path("work/audit/", include("kepu.core.urls")),
    # Results, summaries, statistics, exports: workbench pages under /work/…; the public pages of
    # commendations and certificate checks under /commendations/ (kepu.awards).
    path("", include("kepu.results.urls")),
    path("", include("kepu.reports.urls")),
    path("", include("kepu.stats.urls")),
    path("", include("kepu.awards.urls")),
    path("", include("kepu.exports.urls")),
    path("", include("kepu.quizzes.urls")),
    path("django-admin/", admin.site.urls),
    prefix_default_language=True,
)

handler404 = "kepu.core.views.not_found"
handler500 = "kepu.core.views.server_error"

# Uploaded files are never served from MEDIA_URL, not even in development: the views of the
# results, reports, exports and awards apps check scope before they hand a file out.
