"""The API at /api/v1/: JSON errors, bearer tokens, and each app's router."""

from functools import wraps

from django.http import Http404
from ninja import NinjaAPI, Router, Swagger

from kepu.accounts.api import router as accounts_router
from kepu.activities.api import me_router, staff_router
from kepu.activities.api import router as activities_router
from kepu.api import errors
from kepu.campaigns.api import router as campaigns_router
from kepu.core.middleware import CSP
from kepu.quizzes.api import router as quizzes_router
from kepu.quizzes.api import staff_router as quizzes_staff_router
from kepu.stats.api import router as stats_router


def site_csp(view):
    """Serve the docs page under the site's strict CSP.

    Swagger UI runs from the ninja package's static files with no inline script or style
    (tests/test_docs_browser.py renders it under this policy), so the docs need no exception.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = CSP
        return response

    return wrapper


api = NinjaAPI(
    title="kepu API",
    version="1",
    urls_namespace="api",
    description=(
        "Public campaigns and activities need no token. Signing up and everything under /me and "
        "/staff need `Authorization: Bearer <token>` (from POST /api/v1/auth/token or "
        "`manage.py issue_token`). Every error is JSON `{code, message}`; 422 adds `errors`."
    ),
    # "ninja" is in INSTALLED_APPS, so the docs page loads Swagger UI from the package's static
    # files, not a CDN; a null validatorUrl stops it fetching a badge from swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=site_csp,
    parser=errors.JsonObjectParser(),
)
errors.install(api)

api.add_router("", accounts_router)
api.add_router("", campaigns_router)
api.add_router("", activities_router)
api.add_router("/me", me_router)
api.add_router("/staff", staff_router)
api.add_router("/staff", stats_router)
api.add_router("", quizzes_router)
api.add_router("/staff", quizzes_staff_router)

# Registered last: any other address under /api/v1/ answers a JSON 404, not the HTML page.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_endpoint(request, rest: str):
    raise Http404


api.add_router("", fallback)
