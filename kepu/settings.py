"""kepu settings.

One file for every environment: the embedded default (SQLite, local-memory cache, in-process
tasks) needs nothing installed; production differs only by environment variables
(``KEPU_*``, ``DATABASE_URL``, ``REDIS_URL``). See docs/deployment.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_bool("KEPU_PRODUCTION")
DEBUG = env_bool("KEPU_DEBUG", default=not PRODUCTION)
SECRET_KEY = env(
    "KEPU_SECRET_KEY", "" if PRODUCTION else "kepu-embedded-development-key-not-secret"
)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise RuntimeError("KEPU_SECRET_KEY must be set to 50+ random characters in production")
ALLOWED_HOSTS = [
    h for h in env("KEPU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in env("KEPU_CSRF_TRUSTED_ORIGINS").split(",") if o]
SITE_URL = env("KEPU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "ninja",
    "django_htmx",
    "treebeard",
    "kepu.core",
    "kepu.accounts",
    "kepu.organisations",
    "kepu.campaigns",
    "kepu.activities",
    "kepu.results",
    "kepu.reports",
    "kepu.stats",
    "kepu.awards",
    "kepu.exports",
    "kepu.quizzes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kepu.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kepu.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Anonymous public pages from the shared cache, before the rest of the stack (core/cache.py).
    "kepu.core.cache.PublicPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kepu.core.middleware.ElderModeMiddleware",
]

ROOT_URLCONF = "kepu.urls"
WSGI_APPLICATION = "kepu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kepu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kepu.core.context_processors.site",
                "kepu.core.context_processors.staff",
                "kepu.core.context_processors.language_links",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
# SQLite is tuned as measured in TOOLCHAIN.md (WAL, IMMEDIATE transactions); PostgreSQL keeps
# connections open between requests.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("KEPU_CONN_MAX_AGE", "60")))
    # A health check costs every request a round trip (SELECT 1) before its first query. Off,
    # a connection the database dropped fails one request per worker with the 503 page
    # (core.middleware.DatabaseUnavailableMiddleware) and is then replaced.
    _db["CONN_HEALTH_CHECKS"] = env_bool("KEPU_CONN_HEALTH_CHECKS", False)
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        _db["OPTIONS"] = SQLITE_OPTIONS
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env("KEPU_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        "OPTIONS": SQLITE_OPTIONS,
    }
_db.setdefault("TEST", {})
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: concurrency tests need real locking between connections.
    _db["TEST"]["NAME"] = env("KEPU_TEST_SQLITE_PATH", str(BASE_DIR / ".test-db.sqlite3"))
if _db["ENGINE"] == "django.db.backends.postgresql":
    _db["TEST"]["NAME"] = env("KEPU_TEST_DATABASE", "test_kepu")
    if env_bool("KEPU_DB_PREPARED", True):
        # Server-side binding lets the hot-path statements of kepu.core.sql be prepared:
        # PostgreSQL then skips parsing and planning them (about half its CPU on a sign-up).
        # No other statement is prepared: the driver's threshold for preparing a statement
        # by itself is out of reach, and kepu.core.sql asks for its statements explicitly.
        # KEPU_DB_PREPARED=0 turns it off, for a pooler that cannot keep prepared statements.
        _db.setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 2**31 - 1}
        )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, tasks -------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"… under pytest-xdist
if REDIS_URL and _xdist_worker[2:].isdigit():
    # Each test process gets its own Redis database, so that one clearing its cache never
    # empties another's counters and pages.
    _base, _slash, _number = REDIS_URL.rpartition("/")
    if _number.isdigit():
        REDIS_URL = f"{_base}/{(int(_number) - int(_xdist_worker[2:])) % 16}"
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, reusing its client objects (kepu/core/cache.py).
            "BACKEND": "kepu.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("KEPU_CACHE_PREFIX", "kepu"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions are written to the database and read through Redis: a Redis restart or
    # eviction signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = env("KEPU_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("KEPU_TASKS_EAGER", default=not env("KEPU_BROKER_URL"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Hourly on a worker (celery beat); on the embedded default, cron runs `manage.py send_reminders`.
CELERY_BEAT_SCHEDULE = {
    "reports-send-reminders": {"task": "kepu.reports.tasks.send_reminders", "schedule": 3600.0},
    "exports-delete-expired": {
        "task": "kepu.exports.tasks.delete_expired_exports",
        "schedule": 86400.0,
    },
}
# Days a finished export (possibly with phone numbers) is kept for its requester to download.
KEPU_EXPORT_KEEP_DAYS = int(env("KEPU_EXPORT_KEEP_DAYS", "7"))
# Days before the results and summary deadlines on which units that are behind are reminded.
KEPU_REMINDER_DAYS = [
    int(d) for d in env("KEPU_REMINDER_DAYS", "3,1").split(",") if d.strip().isdigit()
]

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["kepu.accounts.backends.PhoneOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "campaigns:home"
LOGOUT_REDIRECT_URL = "campaigns:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

KEPU_SMS_BACKEND = env("KEPU_SMS_BACKEND", "kepu.accounts.sms.ConsoleBackend")
KEPU_OTP_TTL_SECONDS = 300
# Throttles: (max attempts, window seconds).
KEPU_LOGIN_LIMIT = (int(env("KEPU_LOGIN_LIMIT", "10")), 900)
KEPU_OTP_SEND_LIMIT = (int(env("KEPU_OTP_SEND_LIMIT", "5")), 3600)
KEPU_ADDRESS_LIMIT = (int(env("KEPU_ADDRESS_LIMIT", "60")), 900)
# Quiz starts a minute from one address (a school or a company behind one address sends many).
KEPU_QUIZ_START_ADDRESS_LIMIT = (int(env("KEPU_QUIZ_STARTS_PER_ADDRESS", "600")), 60)
KEPU_CHECKIN_CODE_PERIOD = 60
# Only behind a reverse proxy that sets X-Forwarded-For may the header name the client.
KEPU_TRUST_X_FORWARDED_FOR = env_bool("KEPU_TRUST_X_FORWARDED_FOR")
# Seconds an anonymous public page may be served from the shared cache (0 turns the cache off).
# Pages are invalidated when what they show changes (kepu/core/cache.py), so this can be long.
KEPU_PUBLIC_CACHE_SECONDS = int(env("KEPU_PUBLIC_CACHE_SECONDS", "600"))
# The same for lists (search, home, campaign pages): their cards show places left, which change
# with every sign-up without invalidating them, so they may lag by this much (at most the above).
KEPU_PUBLIC_LIST_CACHE_SECONDS = int(env("KEPU_PUBLIC_LIST_CACHE_SECONDS", "60"))

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("vi", "Tiếng Việt"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["kepu.formats"]
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "kepu" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("KEPU_MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded files (results, attachments, exports, certificates) are private: they are served by
# views that check scope, never from MEDIA_URL in production. On the local disk by default; on
# S3-compatible object storage when KEPU_S3_BUCKET is set (django-storages): then the views
# redirect to a short-lived signed URL.
_default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if env("KEPU_S3_BUCKET"):
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("KEPU_S3_BUCKET"),
            "endpoint_url": env("KEPU_S3_ENDPOINT_URL") or None,
            "region_name": env("KEPU_S3_REGION") or None,
            "access_key": env("KEPU_S3_ACCESS_KEY") or None,
            "secret_key": env("KEPU_S3_SECRET_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ["map", "png", "jpg", "jpeg", "webp", "gif", "woff", "woff2"]

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploads above this size are spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Size limits per kind of uploaded file (results, contest entries), checked by kepu.results.uploads.
KEPU_UPLOAD_MAX_BYTES = {
    "photo": int(env("KEPU_UPLOAD_MAX_PHOTO_BYTES", str(20 * 1024 * 1024))),
    "video": int(env("KEPU_UPLOAD_MAX_VIDEO_BYTES", str(300 * 1024 * 1024))),
    "document": int(env("KEPU_UPLOAD_MAX_DOCUMENT_BYTES", str(50 * 1024 * 1024))),
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# --- Mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env("KEPU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("KEPU_FROM_EMAIL", "kepu <noreply@localhost>")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("KEPU_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("KEPU_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("KEPU_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

KEPU_SITE_NAME = _("kepu")
